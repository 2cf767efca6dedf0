"""Unified standard address library (统一地址库) and the address negative list (地址负面清单).

Rules:

* ``address_missing`` (reject): no address given.
* ``not_standard`` (reject): the text resolves to no entry of the published
  ``standard_addresses`` list (rules.addressing says what resolution forgives: a missing
  province, city, street or district; full-width and Chinese numerals; 栋/座/幢/号楼).
* ``ambiguous_address`` (review): the text fits several standard addresses equally well (the
  same road and number in two districts), or fits one only if the district typed is ignored;
  the candidates are listed with their scores.
* ``blacklisted`` (reject): the standard address is on the published ``address_blacklist`` and
  the entry has not expired.
* ``concentrated_address`` (review, 集中登记): more active companies than the configured
  threshold (``address_concentration``) are already registered at the standard address,
  counting the published ``enterprises`` list and live registrations.

Layers: the standard addresses and the negative list of every scope that contains the
application's registration authority add up (an address negative list is city-level by
nature); a local concentration threshold replaces the enclosing one for the same address (or
default), raising it only with a legal basis.

Every lookup is an indexed query, so a library of millions of addresses costs the same per
check as one of three hundred, and needs no memory in the workers.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from rules import selectors
from rules.addressing import Resolution, parse_address, resolve_scored
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, evaluation_context, register
from rules.kinds.base import Layers, PublishedLists, stack_resolve, version_ids, with_basis
from rules.lists import ADDRESS_BLACKLIST, ADDRESS_CONCENTRATION, ENTERPRISES, STANDARD_ADDRESSES, AddressConcentration

CONCENTRATION_BASIS = "《市场主体登记管理条例》第十一条"


_CONCENTRATION = AddressConcentration()


@register("addresses", verbose_name=_("统一地址库"))
class AddressesLibrary(LibraryKind):
    list_kinds = (STANDARD_ADDRESSES, ADDRESS_BLACKLIST, ADDRESS_CONCENTRATION, ENTERPRISES)

    def __init__(self) -> None:
        self.lists: PublishedLists[None] = PublishedLists(self.list_kinds)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        layers = self.lists.layers()
        versions = self.lists.version_numbers(layers)
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

        standard = version_ids(layers[STANDARD_ADDRESSES])
        resolution = Resolution("none", None, (), 0.0, "no library")
        if standard:

            def lookup(keys: list[str], free: list[str]) -> list[tuple[str, str, str, str]]:
                return selectors.standard_addresses_candidates(version_ids=standard, keys=keys, district_free_keys=free)

            resolution = resolve_scored(address, lookup=lookup)
        parsed = parse_address(address)
        if resolution.status == "none":
            hit = Hit(
                rule="not_standard",
                outcome="reject",
                message=f"住所“{address}”不是标准地址，请从统一地址库中选择标准地址。",
                message_en=(
                    f"The address “{address}” is not a standard address; "
                    "please pick one from the unified standard address library."
                ),
                evidence={"field": "address", "address": address, "parsed": parsed},
            )
            return Evaluation(hits=(hit,), versions=versions)
        if resolution.status == "ambiguous":
            candidates = [
                {"code": c.code, "full_address": c.full_address, "score": c.score} for c in resolution.candidates
            ]
            listed = "；".join(c["full_address"] for c in candidates)
            if resolution.reason == "other_district":
                zh = f"住所“{address}”所填区与标准地址不符，可能是：{listed}，转人工核实。"
                en = (
                    f"The district in “{address}” does not match the standard address; it may be: "
                    f"{'; '.join(c['full_address'] for c in candidates)}. It goes to manual review."
                )
            else:
                zh = f"住所“{address}”对应多个标准地址：{listed}，请补充区名；转人工核实。"
                en = (
                    f"The address “{address}” fits several standard addresses: "
                    f"{'; '.join(c['full_address'] for c in candidates)}. Add the district; it goes to manual review."
                )
            hit = Hit(
                rule="ambiguous_address",
                outcome="review",
                message=zh,
                message_en=en,
                evidence={
                    "field": "address",
                    "address": address,
                    "parsed": parsed,
                    "candidates": candidates,
                    "score": resolution.score,
                    "reason": resolution.reason,
                },
            )
            return Evaluation(hits=(hit,), versions=versions)

        resolved = resolution.best
        assert resolved is not None
        moment = evaluation_context().moment()
        hits: list[Hit] = []
        blacklists = {v.id: v for v in layers[ADDRESS_BLACKLIST]}
        if blacklists:
            for version_id, entry in selectors.entries_by_keys_layered(
                version_ids=list(blacklists), keys=[resolved.code]
            ):
                blacklist = blacklists[version_id]
                data = entry.data
                expires_on = data.get("expires_on") or ""
                if expires_on and datetime.date.fromisoformat(expires_on) < moment.date():
                    continue
                basis = data.get("legal_basis", "")
                evidence: dict[str, Any] = {
                    "field": "address",
                    "code": resolved.code,
                    "standard_address": resolved.full_address,
                    "reason": data.get("reason", ""),
                    "entry_line": entry.line,
                    "score": resolution.score,
                    "scope": blacklist.scope,
                }
                if expires_on:
                    evidence["expires_on"] = expires_on
                if basis:
                    evidence["legal_basis"] = basis
                hits.append(
                    Hit(
                        rule="blacklisted",
                        outcome="reject",
                        message=with_basis(
                            f"住所“{resolved.full_address}”列入地址负面清单（{data.get('reason', '')}），"
                            "不得作为企业住所登记。",
                            basis,
                        ),
                        message_en=with_basis(
                            f"The address “{resolved.full_address}” is on the address negative list "
                            f"({data.get('reason', '')}); no company may be registered there.",
                            basis,
                            english=True,
                        ),
                        evidence=evidence,
                        entry=EntryRef(
                            list=ADDRESS_BLACKLIST,
                            version=blacklist.number,
                            line=entry.line,
                            id=entry.ref,
                            scope=blacklist.scope,
                        ),
                    )
                )
        if layers[ADDRESS_CONCENTRATION]:
            hit = _concentration_hit(resolved.code, resolved.full_address, layers, moment)
            if hit is not None:
                hits.append(hit)
        return Evaluation(hits=tuple(hits), versions=versions)


def _concentration_hit(code: str, full_address: str, layers: Layers, moment: datetime.datetime) -> Hit | None:
    by_id = {v.id: v for v in layers[ADDRESS_CONCENTRATION]}
    stacks: dict[str, list[tuple[str, tuple[selectors.PublishedVersion, selectors.EntryRow]]]] = {}
    for version_id, entry in selectors.entries_by_keys_layered(
        version_ids=list(by_id), keys=[code, AddressConcentration.DEFAULT]
    ):
        version = by_id[version_id]
        stacks.setdefault(entry.key, []).append((version.scope, (version, entry)))
    # The address's own row beats a default, whichever layer each comes from.
    stack = stacks.get(code) or stacks.get(AddressConcentration.DEFAULT)
    if not stack:
        return None
    effective = stack_resolve(stack, spec=_CONCENTRATION, data=lambda pair: pair[1].data)
    concentration, rule = effective.entry
    threshold = int(rule.data["threshold"])
    listed = sum(
        selectors.tally(version_id=enterprises.id, facet="address", value=code) for enterprises in layers[ENTERPRISES]
    )
    as_of = evaluation_context().as_of
    live = selectors.registered_count_at(address_code=code, as_of=as_of)
    count = listed + live
    if count <= threshold:
        return None
    reason = rule.data.get("reason", "")
    return Hit(
        rule="concentrated_address",
        outcome="review",
        message=with_basis(
            f"住所“{full_address}”已登记 {count} 户在营企业，超过集中登记上限 {threshold} 户"
            + (f"（{reason}）" if reason else "")
            + "，转人工核实。",
            CONCENTRATION_BASIS,
        ),
        message_en=with_basis(
            f"{count} active companies are already registered at “{full_address}”, more than the limit of "
            f"{threshold} for one address" + (f" ({reason})" if reason else "") + "; it goes to manual review.",
            CONCENTRATION_BASIS,
            english=True,
        ),
        evidence={
            "field": "address",
            "code": code,
            "standard_address": full_address,
            "registered": count,
            "from_list": listed,
            "from_registrations": live,
            "threshold": threshold,
            "scope": concentration.scope,
            "legal_basis": CONCENTRATION_BASIS,
        },
        entry=EntryRef(
            list=ADDRESS_CONCENTRATION,
            version=concentration.number,
            line=rule.line,
            id=rule.key,
            scope=concentration.scope,
        ),
    )
