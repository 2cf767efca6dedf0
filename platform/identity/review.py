"""What the reviewer's face comparison page shows: the kept selfie next to the registry photo."""

import base64

from applications.models import Application
from identity import ports
from identity.models import FaceOutcome, Verification

_MIME = {b"\xff\xd8": "image/jpeg", b"\x89P": "image/png", b"RI": "image/webp"}


def _data_uri(image: bytes) -> str:
    mime = _MIME.get(image[:2], "image/jpeg")
    return f"data:{mime};base64,{base64.b64encode(image).decode()}"


def face_comparisons(*, application: Application) -> list[dict]:
    """One entry per verification whose face distance was near the threshold.

    The selfie is there until the review is decided (identity.services.selfies_erase_on_decision);
    the registry photo is fetched from public security for this view only, never stored.
    """
    comparisons = []
    for verification in Verification.objects.filter(
        application=application, face_outcome=FaceOutcome.REVIEW
    ).select_related("person"):
        selfie = base64.b64decode(verification.selfie) if verification.selfie else b""
        try:
            registry = ports.registry_photo(id_number=verification.person.id_number)
            unavailable = False
        except ports.DepartmentUnavailable:
            registry, unavailable = None, True
        comparisons.append(
            {
                "id": str(verification.id),
                "name": verification.person.name,
                "roles": [slot["role"] for slot in verification.roles],
                "distance": verification.face_distance,
                "threshold": verification.face_threshold,
                "selfie": _data_uri(selfie) if selfie else "",
                "registry": _data_uri(registry) if registry else "",
                "registry_unavailable": unavailable,
            }
        )
    return comparisons
