"""The live enterprise register: companies market regulation registers, on top of the lists."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from rules.identifiers import IdentifierInvalid, validate_credit_code
from rules.jurisdictions import authority_of_credit_code, scope_validate
from rules.models import RegisteredEnterprise
from rules.naming import name_keys
from rules.normalize import normalize_text


def enterprise_register(
    *, name: str, credit_code: str, address: str | None = None, authority: str | None = None
) -> None:
    """Record an enterprise that market regulation has just registered.

    Idempotent on the credit code, so a redelivered notification is harmless. The names library
    sees the registration at once: it queries these rows on every check, next to the published
    ``enterprises`` list. With ``address``, the registration also counts towards the number of
    companies at its standard address (集中登记).

    ``authority`` is the registration authority's region code; by default it is derived as for
    an application (the resolved standard address, else the name's region), else read from the
    credit code (GB 32100 puts the authority's division code in characters 3-8).
    """
    try:
        code = validate_credit_code(credit_code)
    except IdentifierInvalid as exc:
        raise ValueError(exc.reason_en) from None
    name = name.strip()
    name_key = normalize_text(name)
    if not name_key:
        raise ValueError("enterprise name is empty")
    keys = name_keys(name)
    defaults: dict[str, Any] = {
        "name": name,
        "name_key": name_key[:255],
        "core_key": keys.core,
        "trade_name_key": keys.trade_name,
        "pinyin_key": keys.pinyin,
        "industry": keys.industry_group[:40],
    }
    if address is not None:
        from rules.selectors import standard_address_resolve

        resolved = standard_address_resolve(text=address)
        defaults["address"] = address.strip()[:255]
        defaults["address_code"] = resolved.code if resolved is not None else ""
    if authority:
        defaults["authority"] = scope_validate(authority)
    else:
        from rules.authority import authority_of

        derived, _source = authority_of(address=address or "", name=name)
        defaults["authority"] = derived or authority_of_credit_code(code)
    # One INSERT … ON CONFLICT DO UPDATE: update_or_create would lock, read and insert inside
    # two savepoints, five statements on the department worker's hot path.
    RegisteredEnterprise.objects.bulk_create(
        [RegisteredEnterprise(credit_code=code, **defaults)],
        update_conflicts=True,
        unique_fields=["credit_code"],
        update_fields=list(defaults),
    )


def enterprise_cancel(*, credit_code: str, cancelled_at: datetime.datetime | None = None) -> RegisteredEnterprise:
    """Record that market regulation has cancelled (注销) a registered enterprise.

    Its name stays reserved at its registration authority for a year after ``cancelled_at``
    (default now); the names library counts it until then. Cancelling again keeps the first date.
    Raises RegisteredEnterprise.DoesNotExist for an unknown credit code.
    """
    enterprise = RegisteredEnterprise.objects.get(credit_code=credit_code.strip().upper())
    if enterprise.status != RegisteredEnterprise.Status.CANCELLED:
        enterprise.status = RegisteredEnterprise.Status.CANCELLED
        enterprise.cancelled_at = cancelled_at or timezone.now()
        enterprise.save(update_fields=["status", "cancelled_at"])
    return enterprise
