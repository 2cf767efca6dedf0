"""Public security's registry photo of a citizen, for the reviewer's face comparison only.

Not recorded in the exchange log as data shared (the platform receives, it does not send
personal data beyond the ID number), and never stored: the page shows it and forgets it.
"""

import base64

from exchange.services import DepartmentUnavailable, department_post


def registry_photo(*, id_number: str) -> bytes | None:
    response = department_post(
        department="public_security",
        endpoint="citizens/photo/",
        payload={"id_number": id_number},
        application_id=None,
        record=False,
    ).response
    if response.status_code != 200:
        raise DepartmentUnavailable(f"public_security citizens/photo answered HTTP {response.status_code}")
    photo = response.json().get("photo")
    return base64.b64decode(photo) if photo else None
