"""The live enterprise register: companies market regulation registers, on top of the lists."""

from __future__ import annotations

from typing import Any

from rules.identifiers import IdentifierInvalid, validate_credit_code
from rules.models import RegisteredEnterprise
from rules.naming import name_keys
from rules.normalize import normalize_text


def enterprise_register(*, name: str, credit_code: str, address: str | None = None) -> None:
    """Record an enterprise that market regulation has just registered.

    Idempotent on the credit code, so a redelivered notification is harmless. The names library
    sees the registration at once: it queries these rows on every check, next to the published
    ``enterprises`` list. With ``address``, the registration also counts towards the number of
    companies at its standard address (集中登记).
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
    RegisteredEnterprise.objects.update_or_create(credit_code=code, defaults=defaults)
