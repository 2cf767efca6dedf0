"""Chromium plays the Y4M files of tests/fake_camera.py as its camera, and the frame it gives
getUserMedia is the picture: the face in it is the registered person's."""

import base64
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from departments import faces
from intake.demo_photos import encoded
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.fake_camera import fake_camera_args, registered_face, y4m_write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Draws one camera frame on a canvas and returns it as a PNG data URL.
CAPTURE = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}});
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  stream.getTracks().forEach((track) => track.stop());
  return canvas.toDataURL("image/png");
}"""


def _camera_frame(video: str, url: str) -> Image.Image:
    """One frame of the fake camera, as the page's getUserMedia sees it.

    In a thread of its own: the session-wide browser keeps Playwright's event loop in the main
    thread, and these launch switches need a browser of their own.
    """
    require_chromium()

    def capture() -> str:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake_camera_args(video)]
            )
            try:
                page = browser.new_page()
                page.goto(url)  # localhost is a secure context: getUserMedia is allowed
                return page.evaluate(CAPTURE)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        data_url = pool.submit(capture).result(timeout=120)
    return Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")


def test_the_fake_camera_shows_the_picture(tmp_path, live_server):
    picture = Image.new("RGB", (640, 480), (220, 20, 20))
    picture.paste((20, 20, 220), (320, 0, 640, 480))
    frame = _camera_frame(str(y4m_write(image=picture, path=tmp_path / "halves.y4m")), f"{live_server.url}/")
    assert frame.size == (640, 480)
    left, right = frame.getpixel((100, 240)), frame.getpixel((540, 240))
    assert left[0] > 150 and left[2] < 90, left
    assert right[2] > 150 and right[0] < 90, right


def test_the_registered_face_through_the_fake_camera_matches_the_registry_photo(tmp_path, live_server):
    frame = _camera_frame(str(y4m_write(image=registered_face(), path=tmp_path / "me.y4m")), f"{live_server.url}/")
    comparison = faces.faces_compare(registry_photo=encoded(registered_face()), selfie=encoded(frame, format="JPEG"))
    assert comparison.outcome == "match", comparison
