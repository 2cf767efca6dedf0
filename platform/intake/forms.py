"""The one web form: flat HTML field names mapped onto the API's application document.

Validation is the API's own serializer, so the page and the API accept exactly the same input.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from applications import labels

DEPARTMENT_LABELS = labels.DEPARTMENT_LABELS

COMPANY_FIELDS = [
    ("name", _("企业名称"), "text", _("如：深圳市云帆科技有限公司")),
    ("address", _("住所（注册地址）"), "text", _("如：深圳市南山区粤海街道科苑路15号科兴科学园A栋1201")),
    ("business_scope", _("经营范围"), "textarea", _("如：软件开发；信息技术咨询服务")),
    ("registered_capital", _("注册资本（元）"), "number", "1000000.00"),
    ("employees", _("员工人数"), "number", "5"),
]
PERSON_FIELDS = [
    ("name", _("姓名"), "text", ""),
    ("id_number", _("居民身份证号码"), "text", _("18位")),
    ("phone", _("手机号码"), "tel", _("11位")),
]
SHAREHOLDER_FIELDS = [
    ("name", _("股东姓名"), "text", ""),
    ("id_number", _("居民身份证号码"), "text", _("18位")),
    ("contribution", _("认缴出资额（元）"), "number", ""),
    # Optional (CONTRACT §4): the shareholder's verification link goes to it by SMS.
    ("phone", _("手机号码（选填，接收核验链接）"), "tel", _("11位")),
]


@dataclass
class FormField:
    path: str
    label: str
    kind: str
    placeholder: str
    value: str = ""
    errors: list[str] = field(default_factory=list)


def document_from_post(post: QueryDict) -> dict:
    def person(prefix: str) -> dict:
        return {name: post.get(f"{prefix}.{name}", "").strip() for name, *_ in PERSON_FIELDS}

    document: dict = {
        "company": {name: post.get(f"company.{name}", "").strip() for name, *_ in COMPANY_FIELDS},
        "legal_representative": person("legal_representative"),
        "shareholders": [],
        "departments": post.getlist("departments"),
    }
    if not document["company"]["employees"]:
        document["company"].pop("employees")
    if post.get("handler_is_agent"):
        document["handler"] = person("handler")
    # The rows are found by their field names, not by the page's shareholder_count, so a tampered
    # count ("abc", "-1", "1e9") changes nothing. One row past the cap is kept, so the
    # serializer reports "at most N shareholders" instead of silently dropping the rest.
    for index in _shareholder_indexes(post, limit=settings.APPLICATION_MAX_SHAREHOLDERS + 1):
        row = {name: post.get(f"shareholders.{index}.{name}", "").strip() for name, *_ in SHAREHOLDER_FIELDS}
        if any(row.values()):
            document["shareholders"].append(row)
    return document


def _shareholder_indexes(post: QueryDict, *, limit: int) -> list[int]:
    """The row numbers present in ``shareholders.<n>.<field>`` names, in order, at most ``limit``."""
    indexes: set[int] = set()
    for key in post:
        prefix, _, rest = key.partition(".")
        number, _, name = rest.partition(".")
        if prefix == "shareholders" and number.isascii() and number.isdigit() and len(number) <= 4 and name:
            indexes.add(int(number))
    return sorted(indexes)[:limit]


def flatten_errors(errors: object, prefix: str = "") -> dict[str, list[str]]:
    """Turns DRF's nested errors into {"company.name": [...], "shareholders.0.name": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flatten_errors(value, f"{prefix}{key}."))
    elif isinstance(errors, list) and errors and not isinstance(errors[0], str):
        for index, value in enumerate(errors):
            flat.update(flatten_errors(value, f"{prefix}{index}."))
    elif errors:
        flat[prefix.rstrip(".") or "non_field_errors"] = [str(e) for e in errors]  # type: ignore[union-attr]
    return flat


def form_sections(document: dict | None, errors: dict[str, list[str]]) -> dict:
    document = document or {}

    def fields(prefix: str, spec: list, values: dict) -> list[FormField]:
        return [
            FormField(
                path=f"{prefix}.{name}",
                label=label,
                kind=kind,
                placeholder=placeholder,
                value=str(values.get(name, "")),
                errors=errors.get(f"{prefix}.{name}", []),
            )
            for name, label, kind, placeholder in spec
        ]

    shareholders = document.get("shareholders") or [{}]
    chosen = set(document.get("departments") or settings.DEPARTMENT_CODES)
    return {
        "company": fields("company", COMPANY_FIELDS, document.get("company", {})),
        "legal_representative": fields("legal_representative", PERSON_FIELDS, document.get("legal_representative", {})),
        "handler": fields("handler", PERSON_FIELDS, document.get("handler") or {}),
        "handler_is_agent": bool(document.get("handler")),
        "shareholders": [
            fields(f"shareholders.{index}", SHAREHOLDER_FIELDS, row) for index, row in enumerate(shareholders)
        ],
        "shareholders_errors": errors.get("shareholders", []),
        "departments": [
            {"code": code, "label": label, "checked": code in chosen or code == "market_regulation"}
            for code, label in DEPARTMENT_LABELS.items()
        ],
        "departments_errors": errors.get("departments", []),
        "non_field_errors": errors.get("non_field_errors", []),
    }
