"""Unified standard address library (统一地址库) and the address negative list (地址负面清单).

Rules:

* ``address_missing`` (reject): no address given.
* ``not_standard`` (reject): the text does not resolve to an entry of the published
  ``standard_addresses`` list (see rules.addressing for what resolution forgives).
* ``blacklisted`` (reject): the standard address it resolves to is on the published
  ``address_blacklist``.

Both lookups are single indexed queries, so a library of millions of addresses costs the same
per check as one of three hundred, and needs no memory in the workers.
"""

from __future__ import annotations

from rules import selectors
from rules.addressing import StandardAddress, resolve_address
from rules.engine import Evaluation, Hit, LibraryKind, Ports, Subject, register
from rules.kinds.base import PublishedLists, no_structure
from rules.lists import ADDRESS_BLACKLIST, STANDARD_ADDRESSES


@register("addresses")
class AddressesLibrary(LibraryKind):
    def __init__(self) -> None:
        self.lists: PublishedLists[None] = PublishedLists((STANDARD_ADDRESSES, ADDRESS_BLACKLIST), no_structure)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        published, _ = self.lists.current()
        versions = self.lists.version_numbers(published)
        address = subject.address
        if not address.strip():
            hit = Hit(
                rule="address_missing",
                outcome="reject",
                message="未填写住所（经营场所）地址。",
                message_en="The registered address is missing.",
                evidence={"field": "address"},
            )
            return Evaluation(hits=(hit,), versions=versions)

        standard = published.get(STANDARD_ADDRESSES)
        resolved = None
        if standard is not None:

            def lookup(keys: list[str]) -> dict[str, StandardAddress]:
                return selectors.standard_addresses_by_keys(version_id=standard.id, keys=keys)

            resolved = resolve_address(address, lookup=lookup)
        if resolved is None:
            hit = Hit(
                rule="not_standard",
                outcome="reject",
                message=f"住所“{address}”不是标准地址，请从统一地址库中选择标准地址。",
                message_en=(
                    f"The address “{address}” is not a standard address; "
                    "please pick one from the unified standard address library."
                ),
                evidence={"field": "address", "address": address},
            )
            return Evaluation(hits=(hit,), versions=versions)

        blacklist = published.get(ADDRESS_BLACKLIST)
        if blacklist is None:
            return Evaluation(hits=(), versions=versions)
        hits = tuple(
            Hit(
                rule="blacklisted",
                outcome="reject",
                message=(
                    f"住所“{resolved.full_address}”列入地址负面清单（{entry.data.get('reason', '')}），"
                    "不得作为企业住所登记。"
                ),
                message_en=(
                    f"The address “{resolved.full_address}” is on the address negative list "
                    f"({entry.data.get('reason', '')}); no company may be registered there."
                ),
                evidence={
                    "field": "address",
                    "code": resolved.code,
                    "standard_address": resolved.full_address,
                    "reason": entry.data.get("reason", ""),
                    "entry_line": entry.line,
                },
            )
            for entry in selectors.entries_by_keys(version_id=blacklist.id, keys=[resolved.code])
        )
        return Evaluation(hits=hits, versions=versions)
