"""Public security shows a citizen's registry photo to the platform's reviewer (face review).

A reviewer who must compare a selfie with the registry photo (a face distance near the
threshold) sees both side by side; the photo is sent for that view only and not logged.
"""

import base64

from django.http import HttpRequest, JsonResponse

from departments.models import CitizenPhoto, id_number_index
from departments.views import _json, _json_body, _required_strings, department_endpoint


@department_endpoint(methods=("POST",), only="public_security")
def citizen_photo(request: HttpRequest, code: str) -> JsonResponse:
    """``{"id_number"}`` -> ``{"photo": base64 or null, "content_type"}`` (POST: the number stays out of URLs)."""
    body, error = _json_body(request)
    if error is not None:
        return error
    errors = _required_strings(body, ("id_number",))
    if errors:
        return _json({"errors": errors}, status=400)
    row = (
        CitizenPhoto.objects.filter(citizen__id_number_index=id_number_index(body["id_number"]))
        .values_list("image", "content_type")
        .first()
    )
    if row is None:
        return _json({"photo": None, "content_type": None})
    return _json({"photo": base64.b64encode(bytes(row[0])).decode("ascii"), "content_type": row[1]})
