"""Least-privilege data sharing: each department receives only the fields it needs.

Paths name fields of the application document (CONTRACT §4) plus `application_id` and the
`credit_code` issued by market regulation; `shareholders[].name` means that field of every item.
"""

from collections.abc import Iterable

SHARING_POLICY: dict[str, tuple[str, ...]] = {
    "market_regulation": (
        "application_id",
        "company.name",
        "company.address",
        "company.business_scope",
        "company.registered_capital",
        "company.employees",
        "legal_representative.name",
        "legal_representative.id_number",
        "shareholders[].name",
        "shareholders[].id_number",
        "shareholders[].contribution",
    ),
    "tax": (
        "application_id",
        "credit_code",
        "company.name",
        "company.address",
        "company.business_scope",
        "company.registered_capital",
        "legal_representative.name",
        "legal_representative.id_number",
        "legal_representative.phone",
    ),
    "public_security": (
        "application_id",
        "credit_code",
        "company.name",
        "legal_representative.name",
        "legal_representative.id_number",
    ),
    "social_security": (
        "application_id",
        "credit_code",
        "company.name",
        "company.address",
        "company.employees",
        "legal_representative.name",
    ),
    "housing_fund": ("application_id", "credit_code", "company.name", "company.employees"),
    "bank": (
        "application_id",
        "credit_code",
        "company.name",
        "company.address",
        "legal_representative.name",
        "legal_representative.phone",
    ),
}


def allowed_fields(*, department: str) -> tuple[str, ...]:
    # Deny by default: a department without a policy receives nothing.
    return SHARING_POLICY.get(department, ())


def payload_filter(*, document: dict, paths: Iterable[str]) -> dict:
    """Copies only the allowed paths of the document into a new payload."""
    payload: dict = {}
    for path in paths:
        _copy_path(source=document, target=payload, parts=path.split("."))
    return payload


def _copy_path(*, source: dict, target: dict, parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        key = head[:-2]
        items = source.get(key)
        if not isinstance(items, list):
            return
        copies = target.setdefault(key, [{} for _ in items])
        for item, copy in zip(items, copies, strict=True):
            _copy_path(source=item, target=copy, parts=rest)
        return
    if head not in source:
        return
    if not rest:
        target[head] = source[head]
        return
    if isinstance(source[head], dict):
        _copy_path(source=source[head], target=target.setdefault(head, {}), parts=rest)
