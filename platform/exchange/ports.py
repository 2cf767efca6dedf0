"""Ports the platform injects into the rule engine; rules never import the exchange layer."""

import uuid

from exchange.services import DepartmentUnavailable, department_post
from rules.engine import CitizenVerification, LookupUnavailable


class HttpCitizenLookup:
    """Verifies a person against the public-security citizen registry over HTTP."""

    def __init__(self, *, application_id: uuid.UUID | None = None, record: bool = True) -> None:
        self.application_id = application_id
        self.record = record

    def verify(self, *, id_number: str, name: str) -> CitizenVerification:
        try:
            response = department_post(
                department="public_security",
                endpoint="citizens/verify/",
                payload={"id_number": id_number, "name": name},
                application_id=self.application_id,
                record=self.record,
            ).response
        except DepartmentUnavailable as error:
            raise LookupUnavailable(str(error)) from error
        if response.status_code != 200:
            raise LookupUnavailable(f"public_security citizens/verify answered HTTP {response.status_code}")
        body = response.json()
        return CitizenVerification(
            found=bool(body.get("found")), name_matches=bool(body.get("name_matches")), status=body.get("status")
        )
