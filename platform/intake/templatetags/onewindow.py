"""Template helpers shared by the applicant's and the reviewer's pages."""

from django import template
from django.utils.html import format_html

from applications import labels
from applications.models import Application

register = template.Library()

FIELDS = {"company_name": "company_name", "name": "company_name", "address": "address"}


@register.simple_tag
def highlighted(application: Application, finding: dict) -> str:
    """The application field a finding points at, with the matched span marked."""
    evidence = finding.get("evidence") or {}
    attribute = FIELDS.get(evidence.get("field", ""))
    span = evidence.get("span")
    if not attribute or not (isinstance(span, list | tuple) and len(span) == 2):
        return ""
    text = getattr(application, attribute)
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= len(text):
        return ""
    return format_html('<span class="highlight">{}<mark>{}</mark>{}</span>', text[:start], text[start:end], text[end:])


@register.filter
def without(evidence: dict, keys: str) -> dict:
    """Evidence minus the keys already shown elsewhere on the page."""
    dropped = set(keys.split(","))
    return {key: value for key, value in (evidence or {}).items() if key not in dropped}


@register.filter
def status_label(code: str) -> str:
    return str(labels.STATUS_LABELS.get(code, code))


@register.filter
def outcome_label(code: str) -> str:
    return str(labels.OUTCOME_LABELS.get(code, code))


@register.filter
def library_label(code: str) -> str:
    return str(labels.LIBRARY_LABELS.get(code, code))


@register.filter
def person_role_label(code: str) -> str:
    from identity.labels import ROLE_LABELS

    return str(ROLE_LABELS.get(code, code))


@register.filter
def verification_status_label(code: str) -> str:
    from identity.labels import STATUS_LABELS

    return str(STATUS_LABELS.get(code, code))


@register.filter
def proof_label(code: str) -> str:
    from identity.labels import PROOF_LABELS

    return str(PROOF_LABELS.get(code, code))
