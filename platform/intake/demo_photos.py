"""Real face pictures that installed packages ship, for the demo registry and the tests.

Nothing is downloaded: scikit-image ships NASA's portrait of the astronaut Eileen Collins
(``skimage.data.astronaut()``, public domain) and a cup of coffee with no face in it
(``skimage.data.coffee()``); matplotlib ships the portrait of Grace Hopper
(``sample_data/grace_hopper.jpg``, public domain).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def astronaut_image() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


def grace_hopper_image() -> Image.Image:
    from matplotlib import cbook

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
        return image.convert("RGB")


def no_face_image() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.coffee())


def encoded(image: Image.Image, *, format: str = "PNG") -> bytes:
    """The picture as a PNG or JPEG file's bytes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=format, **({"quality": 92} if format == "JPEG" else {}))
    return buffer.getvalue()


def demo_photos_write(*, directory: Path) -> dict[str, Path]:
    """Writes the three pictures into ``directory``: {"astronaut", "grace_hopper", "no_face"}."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {
        "astronaut": (astronaut_image(), "astronaut.png", "PNG"),
        "grace_hopper": (grace_hopper_image(), "grace_hopper.jpg", "JPEG"),
        "no_face": (no_face_image(), "coffee.png", "PNG"),
    }
    paths: dict[str, Path] = {}
    for key, (image, name, format) in written.items():
        path = directory / name
        path.write_bytes(encoded(image, format=format))
        paths[key] = path
    return paths
