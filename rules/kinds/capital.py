"""Registered-capital minimums (注册资本最低限额): the fifth library, a decision table.

It exists to show that a library kind is a plugin: this module, its list kind in rules.lists
and a line in rules.kinds.KIND_MODULES are all it took; the engine, the pipeline and the admin
did not change. Until a ``capital_minimums`` table is published the library is inactive, so
check_all and the pipeline run only the four libraries of the contract.

Each row of the table names an industry keyword, a minimum in yuan and an outcome. Every row
whose keyword occurs in the normalized company name or business scope and whose minimum the
registered capital does not reach gives a ``capital_below_minimum`` finding with that outcome
(reject or review). No capital given counts as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ahocorasick

from rules import selectors
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, register
from rules.kinds.base import Published, PublishedLists, with_basis
from rules.lists import CAPITAL_MINIMUMS
from rules.normalize import normalize_with_map


@dataclass(frozen=True)
class _Row:
    key: str
    industry: str
    minimum: Decimal
    outcome: str
    reason: str
    legal_basis: str
    line: int


def _build(published: Published) -> tuple[ahocorasick.Automaton | None, int]:
    version = published.get(CAPITAL_MINIMUMS)
    if version is None:
        return None, 0
    automaton = ahocorasick.Automaton()
    for key, _ref, data, line in selectors.version_entries(version_id=version.id):
        automaton.add_word(
            key,
            _Row(
                key,
                data["industry"],
                Decimal(data["minimum"]),
                data["outcome"],
                data.get("reason", ""),
                data.get("legal_basis", ""),
                line,
            ),
        )
    if len(automaton) == 0:
        return None, version.number
    automaton.make_automaton()
    return automaton, version.number


def _yuan(amount: Decimal) -> str:
    if amount >= 10_000 and amount % 10_000 == 0:
        return f"{amount / 10_000:,.0f}万元"
    return f"{amount:,.2f}元"


@register("capital")
class CapitalLibrary(LibraryKind):
    list_kinds = (CAPITAL_MINIMUMS,)

    def __init__(self) -> None:
        self.lists: PublishedLists[tuple[ahocorasick.Automaton | None, int]] = PublishedLists(self.list_kinds, _build)

    def is_active(self) -> bool:
        return CAPITAL_MINIMUMS in self.lists.published()

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        published, (automaton, number) = self.lists.current()
        versions = self.lists.version_numbers(published)
        if automaton is None:
            return Evaluation(hits=(), versions=versions)
        capital = subject.registered_capital if subject.registered_capital is not None else Decimal(0)
        matched: dict[str, tuple[_Row, str, int, int]] = {}
        for field, text in (("company_name", subject.company_name), ("business_scope", subject.business_scope)):
            normalized = normalize_with_map(text)
            for end, row in automaton.iter(normalized.text):
                if row.key not in matched:
                    start, stop = normalized.original_span(end - len(row.key) + 1, end + 1)
                    matched[row.key] = (row, field, start, stop)
        hits = []
        for row, field, start, stop in sorted(matched.values(), key=lambda m: m[0].line):
            if capital >= row.minimum:
                continue
            source = subject.company_name if field == "company_name" else subject.business_scope
            reason = f"（{row.reason}）" if row.reason else ""
            hits.append(
                Hit(
                    rule="capital_below_minimum",
                    outcome="reject" if row.outcome == "reject" else "review",
                    message=with_basis(
                        f"从事“{row.industry}”业务的企业注册资本不得低于{_yuan(row.minimum)}{reason}，"
                        f"申报的注册资本为{_yuan(capital)}。",
                        row.legal_basis,
                    ),
                    message_en=with_basis(
                        f"A company in “{row.industry}” needs a registered capital of at least "
                        f"{row.minimum:,.2f} yuan{(' (' + row.reason + ')') if row.reason else ''}; "
                        f"{capital:,.2f} yuan was declared.",
                        row.legal_basis,
                        english=True,
                    ),
                    evidence={
                        "field": field,
                        "matched": row.industry,
                        "text": source[start:stop],
                        "span": [start, stop],
                        "minimum": str(row.minimum),
                        "registered_capital": str(capital),
                        "legal_basis": row.legal_basis,
                        "entry_line": row.line,
                    },
                    entry=EntryRef(list=CAPITAL_MINIMUMS, version=number, line=row.line, id=row.key),
                )
            )
        return Evaluation(hits=tuple(hits), versions=versions)
