"""The Y4M writer for Chromium's fake camera."""

import numpy as np
from PIL import Image

from tests.fake_camera import no_face, other_face, registered_face, y4m_read_first_frame, y4m_write


def test_a_written_file_has_the_header_and_frames_chromium_reads(tmp_path):
    path = y4m_write(image=registered_face(), path=tmp_path / "face.y4m", frames=3)
    data = path.read_bytes()
    header = data.split(b"\n", 1)[0]
    assert header == b"YUV4MPEG2 W640 H480 F25:1 Ip A1:1 C420jpeg"
    frame = 640 * 480 * 3 // 2
    assert data.count(b"FRAME\n") >= 3
    assert len(data) == len(header) + 1 + 3 * (len(b"FRAME\n") + frame)


def test_the_frame_holds_the_picture(tmp_path):
    # A picture half red, half blue: the luma and chroma planes must say so, left and right.
    picture = Image.new("RGB", (640, 480), (255, 0, 0))
    picture.paste((0, 0, 255), (320, 0, 640, 480))
    width, height, planes = y4m_read_first_frame(y4m_write(image=picture, path=tmp_path / "rb.y4m"))
    y = np.frombuffer(planes[: width * height], dtype=np.uint8).reshape(height, width)
    cr = np.frombuffer(planes[width * height * 5 // 4 :], dtype=np.uint8).reshape(height // 2, width // 2)
    assert y[:, :320].mean() > y[:, 320:].mean()  # red is brighter than blue
    assert cr[:, :160].mean() > 200 and cr[:, 160:].mean() < 140  # red has a high Cr, blue a low one


def test_the_three_pictures_are_distinct_real_images():
    pictures = [registered_face(), other_face(), no_face()]
    assert all(p.width >= 400 and p.height >= 400 for p in pictures)
    assert len({p.tobytes()[:10000] for p in pictures}) == 3
