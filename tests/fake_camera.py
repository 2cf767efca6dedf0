"""Video files for Chromium's fake camera, made from a still picture.

Chromium plays a Y4M file as the camera with
``--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file>.y4m``. Y4M
(YUV4MPEG2) is a text header line, then for each frame ``FRAME\\n`` and the raw I420 planes
(Y at full size, then U and V at half size each way). Written with Pillow and numpy; nothing is
downloaded.

    from tests.fake_camera import y4m_write, registered_face, other_face, no_face
    y4m_write(image=registered_face(), path=tmp_path / "me.y4m")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from intake.demo_photos import astronaut_image, grace_hopper_image, no_face_image

WIDTH, HEIGHT = 640, 480


def registered_face() -> Image.Image:
    """The astronaut, whose photo the demo and the tests put in the citizen registry."""
    return astronaut_image()


def other_face() -> Image.Image:
    """Grace Hopper: a real face, but another person's."""
    return grace_hopper_image()


def no_face() -> Image.Image:
    """A cup of coffee."""
    return no_face_image()


def _framed(image: Image.Image, *, width: int, height: int) -> Image.Image:
    """The picture scaled to fit the frame, centred on grey (a camera frame has no transparency)."""
    picture = image.convert("RGB")
    picture.thumbnail((width, height), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (width, height), (128, 128, 128))
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return frame


def i420_planes(image: Image.Image) -> bytes:
    """One I420 frame (BT.601, full range as in JPEG: the ``C420jpeg`` of the header)."""
    ycbcr = np.asarray(image.convert("YCbCr"), dtype=np.uint8)
    y = ycbcr[:, :, 0]
    # Chroma at half resolution each way: the mean of each 2x2 block.
    cb = ycbcr[:, :, 1].astype(np.uint16)
    cr = ycbcr[:, :, 2].astype(np.uint16)
    cb = ((cb[0::2, 0::2] + cb[1::2, 0::2] + cb[0::2, 1::2] + cb[1::2, 1::2] + 2) // 4).astype(np.uint8)
    cr = ((cr[0::2, 0::2] + cr[1::2, 0::2] + cr[0::2, 1::2] + cr[1::2, 1::2] + 2) // 4).astype(np.uint8)
    return y.tobytes() + cb.tobytes() + cr.tobytes()


def y4m_write(*, image: Image.Image, path: Path, width: int = WIDTH, height: int = HEIGHT, frames: int = 10) -> Path:
    """Write ``frames`` identical frames of ``image`` at 25 fps (Chromium loops the file)."""
    if width % 2 or height % 2:
        raise ValueError("I420 needs an even width and height")
    planes = i420_planes(_framed(image, width=width, height=height))
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            handle.write(b"FRAME\n")
            handle.write(planes)
    return path


def fake_camera_args(video: Path) -> list[str]:
    """Chromium switches that make ``video`` the camera and grant camera access without asking.

    They are launch switches: the browser has to be launched with them (in a thread of its own
    when the session-wide Playwright browser of tests/browser/conftest.py is running, since the
    sync API allows one Playwright per thread; see tests/browser/test_fake_camera.py).
    """
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]


def y4m_read_first_frame(path: Path) -> tuple[int, int, bytes]:
    """(width, height, I420 planes of the first frame): for checking a written file."""
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    fields = header.split(b" ")
    if fields[0] != b"YUV4MPEG2":
        raise ValueError("not a Y4M file")
    width = int(next(f for f in fields if f.startswith(b"W"))[1:])
    height = int(next(f for f in fields if f.startswith(b"H"))[1:])
    if not rest.startswith(b"FRAME\n"):
        raise ValueError("no frame after the header")
    size = width * height * 3 // 2
    return width, height, rest[6 : 6 + size]
