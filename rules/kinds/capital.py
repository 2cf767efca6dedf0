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
from django.utils.translation import gettext_lazy as _

from rules import selectors
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, evaluation_context, register
from rules.kinds.base import PublishedLists, stack_resolve, with_basis
from rules.lists import CAPITAL_MINIMUMS, CapitalMinimums
from rules.normalize import normalize_with_map
from rules.selectors import PublishedVersion


@dataclass(frozen=True)
class _Row:
    key: str
    industry: str
    minimum: Decimal
    outcome: str
    reason: str
    legal_basis: str
    line: int
    scope: str = ""
    version: int = 0

    def data(self) -> dict[str, object]:
        return {"minimum": self.minimum, "outcome": self.outcome, "legal_basis": self.legal_basis}


_TABLE = CapitalMinimums()


def _build(version: PublishedVersion) -> tuple[ahocorasick.Automaton | None, dict[str, _Row]]:
    automaton = ahocorasick.Automaton()
    rows: dict[str, _Row] = {}
    for key, _ref, data, line in selectors.version_entries(version_id=version.id):
        row = _Row(
            key,
            data["industry"],
            Decimal(data["minimum"]),
            data["outcome"],
            data.get("reason", ""),
            data.get("legal_basis", ""),
            line,
            scope=version.scope,
            version=version.number,
        )
        rows[key] = row
        automaton.add_word(key, row)
    if len(automaton) == 0:
        return None, rows
    automaton.make_automaton()
    return automaton, rows


def _yuan(amount: Decimal) -> str:
    if amount >= 10_000 and amount % 10_000 == 0:
        return f"{amount / 10_000:,.0f}万元"
    return f"{amount:,.2f}元"


@register("capital", verbose_name=_("注册资本库"))
class CapitalLibrary(LibraryKind):
    list_kinds = (CAPITAL_MINIMUMS,)

    def __init__(self) -> None:
        self.lists: PublishedLists[tuple[ahocorasick.Automaton | None, dict[str, _Row]]] = PublishedLists(
            self.list_kinds, _build
        )

    def is_active(self) -> bool:
        """Active once a table is published in any scope (a province may have one of its own)."""
        context = evaluation_context()
        scopes = selectors.published_scopes(kind=CAPITAL_MINIMUMS)
        return bool(
            selectors.published_layers(kinds=[CAPITAL_MINIMUMS], scopes=scopes, as_of=context.as_of)[CAPITAL_MINIMUMS]
        )

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        layers = self.lists.layers()
        versions = self.lists.version_numbers(layers)
        tables = [self.lists.structure(version) for version in layers[CAPITAL_MINIMUMS]]
        if not any(automaton is not None for automaton, _ in tables):
            return Evaluation(hits=(), versions=versions)
        capital = subject.registered_capital if subject.registered_capital is not None else Decimal(0)
        matched: dict[str, tuple[_Row, str, int, int]] = {}
        for field, text in (("company_name", subject.company_name), ("business_scope", subject.business_scope)):
            normalized = normalize_with_map(text)
            for automaton, _rows in tables:
                if automaton is None:
                    continue
                for end, row in automaton.iter(normalized.text):
                    if row.key not in matched:
                        start, stop = normalized.original_span(end - len(row.key) + 1, end + 1)
                        matched[row.key] = (row, field, start, stop)
        resolved = []
        for key, (_first, field, start, stop) in matched.items():
            stack = [(rows[key].scope, rows[key]) for _automaton, rows in tables if key in rows]
            resolved.append((stack_resolve(stack, spec=_TABLE, data=_Row.data).entry, field, start, stop))
        hits = []
        for row, field, start, stop in sorted(resolved, key=lambda m: (m[0].line, m[0].scope)):
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
                        "scope": row.scope,
                    },
                    entry=EntryRef(
                        list=CAPITAL_MINIMUMS, version=row.version, line=row.line, id=row.key, scope=row.scope
                    ),
                )
            )
        return Evaluation(hits=tuple(hits), versions=versions)
