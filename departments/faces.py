"""Public security's face comparison: a selfie against the citizen's registry photo.

dlib, called directly (not through the ``face_recognition`` wrapper, which needs dlib's source
package): the HOG frontal face detector, the 5-point shape predictor and the ResNet face
recognition model that ``face-recognition-models`` ships. Each face becomes a 128-dimensional
descriptor; two faces are the same person when the Euclidean distance between their descriptors
is below ``MATCH_THRESHOLD`` (0.6, the figure dlib's model was trained for: 99.38% on the LFW
benchmark). Matches from ``REVIEW_FROM`` (0.5) up to the threshold are close calls that a human
should confirm; the caller decides what to do with them.

This is a comparison of two pictures, not a liveness check: a printed photo held up to the camera
would pass.

The models load once per process, on first use (about 2 s); nothing is downloaded at run time.
Pictures are decoded in memory and never written anywhere.
"""

from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

MATCH_THRESHOLD = 0.6
REVIEW_FROM = 0.5
# The detector's confidence below which a detection is noise: real faces score above 1, while
# upsampling also finds faint false faces (score about 0.1) in textured backgrounds.
DETECTION_MIN_SCORE = 0.5
# A picture is scaled down to this longest side before detection: plenty for a face, and the
# detector's time grows with the pixel count.
MAX_SIDE = 1024
# Decoding a picture of more pixels than this is refused (a small file can decode to gigabytes).
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG")


class ImageInvalid(Exception):
    """A picture that cannot be compared; ``problem`` is machine-readable, the message bilingual."""

    def __init__(self, message: str, *, problem: str) -> None:
        super().__init__(message)
        self.problem = problem  # "not_image" | "too_large" | "too_many_pixels"


def max_bytes() -> int:
    return settings.FACE_IMAGE_MAX_BYTES


def too_large_message() -> str:
    megabytes = max_bytes() / (1024 * 1024)
    return f"the picture is larger than {megabytes:g} MB / 照片超过 {megabytes:g} MB"


def image_check(data: bytes) -> str:
    """The picture's format ("JPEG" or "PNG"), or ``ImageInvalid``; decodes it fully."""
    return _decoded(data)[1]


def _decoded(data: bytes) -> tuple[Image.Image, str]:
    if len(data) > max_bytes():
        raise ImageInvalid(too_large_message(), problem="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format or ""
            width, height = probe.size
            if image_format not in ACCEPTED_FORMATS:
                raise ImageInvalid(_NOT_AN_IMAGE, problem="not_image")
            if width * height > MAX_PIXELS:
                raise ImageInvalid("the picture has too many pixels / 照片分辨率过高", problem="too_many_pixels")
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except ImageInvalid:
        raise
    except Image.DecompressionBombError:
        raise ImageInvalid(_TOO_MANY_PIXELS, problem="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageInvalid(_NOT_AN_IMAGE, problem="not_image") from None
    return image, image_format


_NOT_AN_IMAGE = "the picture is not a JPEG or PNG image / 照片不是 JPEG 或 PNG 图像"
_TOO_MANY_PIXELS = "the picture has too many pixels / 照片分辨率过高"


@dataclass(frozen=True)
class _Models:
    detector: Any
    shape_predictor: Any
    recognizer: Any


_load_lock = threading.Lock()
# dlib's detector and networks are not documented as safe to share between threads, and the
# departments' gunicorn runs threads: one comparison at a time per process (each takes well
# under a second on one core, which is all a thread could use anyway).
_inference_lock = threading.Lock()


@functools.cache
def _models() -> _Models:
    # dlib and the model files are imported on first use only: most department processes never
    # compare a face, and loading costs about two seconds.
    import dlib
    import face_recognition_models

    return _Models(
        detector=dlib.get_frontal_face_detector(),
        shape_predictor=dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location()),
        recognizer=dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
    )


def models_loaded() -> _Models:
    with _load_lock:  # two threads of a process must not both load (and double the memory)
        return _models()


def face_descriptors(image: Image.Image) -> list[np.ndarray]:
    """One descriptor per face found, the largest face first."""
    models = models_loaded()
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype=np.uint8)
    with _inference_lock:
        # Upsampled once, so that a face of 40 pixels is found too; faint detections are dropped.
        boxes, scores, _kinds = models.detector.run(pixels, 1, 0.0)
        faces = sorted(
            (box for box, score in zip(boxes, scores, strict=True) if score >= DETECTION_MIN_SCORE),
            key=lambda box: box.area(),
            reverse=True,
        )
        return [
            np.asarray(models.recognizer.compute_face_descriptor(pixels, models.shape_predictor(pixels, box), 1))
            for box in faces
        ]


@dataclass(frozen=True)
class Comparison:
    outcome: str  # "match" | "no_match" | "no_face" | "multiple_faces" | "no_photo"
    distance: float | None


def faces_compare(*, registry_photo: bytes | None, selfie: bytes) -> Comparison:
    """Compare the selfie (exactly one face) with the largest face of the registry photo.

    Raises ``ImageInvalid`` when the selfie is not a JPEG or PNG image or is too large. A registry
    photo that is missing or shows no face is ``no_photo``: there is nothing to compare with.
    """
    selfie_image, _format = _decoded(selfie)
    if registry_photo is None:
        return Comparison(outcome="no_photo", distance=None)
    selfie_faces = face_descriptors(selfie_image)
    if not selfie_faces:
        return Comparison(outcome="no_face", distance=None)
    if len(selfie_faces) > 1:
        return Comparison(outcome="multiple_faces", distance=None)
    registry_faces = face_descriptors(_decoded(registry_photo)[0])
    if not registry_faces:
        return Comparison(outcome="no_photo", distance=None)
    distance = float(np.linalg.norm(selfie_faces[0] - registry_faces[0]))
    return Comparison(outcome="match" if distance < MATCH_THRESHOLD else "no_match", distance=round(distance, 4))
