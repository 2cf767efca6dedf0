"""The "try it" console: a Subject built from a small form, run on the administrator's libraries,
with the matched spans highlighted and the jurisdiction layers that applied."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from rules import engine
from rules.engine import PersonFacts, Ports, Subject
from rules.jurisdictions import NATIONAL, ScopeInvalid, scope_label, scope_validate


class TryItForm(forms.Form):
    company_name = forms.CharField(label=_("企业名称"), required=False)
    address = forms.CharField(label=_("住所"), required=False)
    business_scope = forms.CharField(label=_("经营范围"), required=False)
    registered_capital = forms.CharField(label=_("注册资本（元）"), required=False)
    authority = forms.CharField(
        label=_("登记机关（行政区划代码，可不填）"),
        required=False,
        help_text=_("不填：按标准地址推断，其次按名称中的行政区划"),
    )
    person_name = forms.CharField(label=_("人员姓名"), required=False)
    person_id_number = forms.CharField(label=_("身份证号码"), required=False)

    def clean_registered_capital(self) -> Decimal | None:
        value = self.cleaned_data["registered_capital"]
        if not value:
            return None
        try:
            return Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise forms.ValidationError(_("不是数字")) from None

    def clean_authority(self) -> str:
        value = self.cleaned_data["authority"].strip()
        if not value:
            return ""
        try:
            scope = scope_validate(value)
        except ScopeInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        if scope == NATIONAL:
            raise forms.ValidationError(_("登记机关须为行政区划代码"))
        return scope

    def subject(self) -> Subject:
        data = self.cleaned_data
        persons: tuple[PersonFacts, ...] = ()
        if data["person_name"] or data["person_id_number"]:
            persons = (
                PersonFacts(
                    role=engine.ROLE_LEGAL_REPRESENTATIVE, name=data["person_name"], id_number=data["person_id_number"]
                ),
            )
        return Subject(
            company_name=data["company_name"],
            address=data["address"],
            business_scope=data["business_scope"],
            registered_capital=data["registered_capital"],
            persons=persons,
            authority=data["authority"],
        )


def console_run(subject: Subject, libraries: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each library's outcome, findings (with highlights) and the layers it used."""
    from rules.ports import console_ports

    ports = console_ports() or Ports()
    # Shown for every library, even one that needed no placing (only national layers applied).
    placed = engine.jurisdiction_of(subject)
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    for code in libraries:
        if code == "identity" and ports.citizens is None:
            notes.append("实名核身未连接公安人口库，仅校验号码 / identity: no registry connected here.")
        try:
            result = engine.check_library(code, subject, ports=ports)
        except engine.LookupUnavailable:
            notes.append(f"{code}: 无法连接外部数据源 / the registry is unavailable")
            continue
        findings = []
        for finding in result.findings:
            data = finding.to_dict()
            data["highlight"] = highlight(subject, finding.evidence)
            findings.append(data)
        results.append(
            {
                "library": code,
                "label": engine.libraries.verbose_name(code),
                "outcome": result.outcome,
                "versions": result.versions,
                "layers": _layers(result.versions),
                "jurisdiction": placed,
                "scopes": [scope_label(s) for s in placed.scopes],
                "findings": findings,
            }
        )
    return results, notes


def _layers(versions: dict[str, int]) -> list[dict[str, Any]]:
    """The list layers a check used, as (list, scope, version) rows; 0 means none published."""
    layers = []
    for key, number in versions.items():
        kind, _, scope = key.partition("@")
        layers.append(
            {"list": kind, "scope": scope or NATIONAL, "label": scope_label(scope or NATIONAL), "version": number}
        )
    return layers


def highlight(subject: Subject, evidence: dict[str, Any]) -> SafeString | None:
    """The field the evidence points into, with the matched span marked."""
    span = evidence.get("span")
    field = evidence.get("field")
    text = {
        "company_name": subject.company_name,
        "address": subject.address,
        "business_scope": subject.business_scope,
    }.get(str(field))
    if not span or text is None:
        return None
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= len(text):
        return None
    return format_html('{}<mark class="ow-span">{}</mark>{}', text[:start], text[start:end], text[end:])
