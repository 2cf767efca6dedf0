"""Least-privilege data sharing: each department receives only the fields it needs.

Paths name fields of the application document (CONTRACT §4) plus `application_id` and the
`credit_code` issued by market regulation; `shareholders[].name` means that field of every item.
The policy lives in the database (editable in the admin, deny by default); the defaults below
seed it and document what each department's work needs.
"""

from collections.abc import Iterable

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

# Every path a policy may allow, with the label people see ("who received my data").
FIELD_LABELS: dict[str, StrPromise] = {
    "application_id": _("申请编号"),
    "credit_code": _("统一社会信用代码"),
    "company.name": _("企业名称"),
    "company.address": _("住所"),
    "company.business_scope": _("经营范围"),
    "company.registered_capital": _("注册资本"),
    "company.employees": _("员工人数"),
    "legal_representative.name": _("法定代表人姓名"),
    "legal_representative.id_number": _("法定代表人身份证号码"),
    "legal_representative.phone": _("法定代表人手机号码"),
    "handler.name": _("经办人姓名"),
    "handler.id_number": _("经办人身份证号码"),
    "handler.phone": _("经办人手机号码"),
    "shareholders[].name": _("股东姓名"),
    "shareholders[].id_number": _("股东身份证号码"),
    "shareholders[].contribution": _("股东出资额"),
    "id_number": _("身份证号码（实名核验）"),
    "name": _("姓名（实名核验）"),
}

DEFAULT_SHARING_POLICY: dict[str, tuple[str, ...]] = {
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
    """The department's allowlist from the database. Deny by default: no policy, no fields."""
    return allowed_fields_of(departments=[department])[department]


def allowed_fields_of(*, departments: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The allowlists of several departments in one query; a department without a policy gets none."""
    from exchange.models import SharingPolicy

    wanted = list(departments)
    policies = dict(SharingPolicy.objects.filter(department__in=wanted).values_list("department", "fields"))
    return {department: tuple(policies.get(department) or ()) for department in wanted}


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


def sharing_policy_seed_defaults() -> int:
    """Creates the default policy of each department that has none; returns how many it created."""
    from exchange.models import SharingPolicy

    created = 0
    for department, fields in DEFAULT_SHARING_POLICY.items():
        _, was_created = SharingPolicy.objects.get_or_create(department=department, defaults={"fields": list(fields)})
        created += was_created
    return created
