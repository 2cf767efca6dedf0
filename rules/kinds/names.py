"""Enterprise-name library (企业名称库).

Rules, each explained in Chinese and English:

* ``name_missing`` (reject): no name at all.
* ``prohibited_word`` (reject) / ``restricted_word`` (review): a word of the published
  ``name_words`` list occurs in the name. All words are matched at once by one Aho-Corasick
  automaton over the normalized name, so spaces, punctuation, full-width or traditional
  characters slipped into a word do not hide it; the evidence span points into the original name.
* ``organisation_form`` (reject): the name does not end with an organisation form (有限公司 ...).
* ``identical_name`` (reject): after normalization the name equals a registered enterprise's,
  from the published ``enterprises`` list or from a live registration by market regulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ahocorasick

from rules import selectors
from rules.engine import Evaluation, Hit, LibraryKind, Ports, Subject, register
from rules.kinds.base import Published, PublishedLists
from rules.lists import ENTERPRISES, NAME_WORDS
from rules.normalize import Normalized, normalize_text, normalize_with_map

# Longest first only for readability of the message; matching uses endswith on each.
ORGANISATION_FORMS: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份合作公司",
    "特殊普通合伙",
    "普通合伙",
    "有限合伙",
    "合伙企业",
    "个人独资企业",
    "农民专业合作社",
    "专业合作社",
    "合作社",
    "分公司",
)
# The forms compared in normalized shape: "有限合伙" is usually written in brackets, which
# normalization removes ("某某投资中心（有限合伙）" ends with "有限合伙").
_FORM_KEYS: tuple[str, ...] = tuple(normalize_text(f) for f in ORGANISATION_FORMS)


@dataclass(frozen=True)
class _Word:
    key: str
    word: str
    level: str
    reason: str
    line: int


def _build_automaton(published: Published) -> ahocorasick.Automaton | None:
    version = published.get(NAME_WORDS)
    if version is None:
        return None
    automaton = ahocorasick.Automaton()
    for key, _ref, data, line in selectors.version_entries(version_id=version.id):
        automaton.add_word(
            key, _Word(key=key, word=data["word"], level=data["level"], reason=data["reason"], line=line)
        )
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


@register("names")
class NamesLibrary(LibraryKind):
    def __init__(self) -> None:
        self.lists: PublishedLists[ahocorasick.Automaton | None] = PublishedLists(
            (NAME_WORDS, ENTERPRISES), _build_automaton
        )

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        published, automaton = self.lists.current()
        versions = self.lists.version_numbers(published)
        name = subject.company_name
        normalized = normalize_with_map(name)
        if not normalized.text:
            hit = Hit(
                rule="name_missing",
                outcome="reject",
                message="未填写企业名称。",
                message_en="The company name is missing.",
                evidence={"field": "company_name"},
            )
            return Evaluation(hits=(hit,), versions=versions)

        hits: list[Hit] = []
        hits.extend(_word_hits(name, normalized, automaton))
        form_hit = _organisation_form_hit(normalized.text)
        if form_hit is not None:
            hits.append(form_hit)
        hits.extend(_identical_hits(normalized.text, published))
        return Evaluation(hits=tuple(hits), versions=versions)


def _word_hits(name: str, normalized: Normalized, automaton: ahocorasick.Automaton | None) -> list[Hit]:
    if automaton is None:
        return []
    first: dict[str, tuple[int, int, _Word]] = {}
    for end, word in automaton.iter(normalized.text):
        start = end - len(word.key) + 1
        if word.key not in first:  # report each word once, at its first occurrence
            first[word.key] = (start, end + 1, word)
    hits = []
    for start, end, word in sorted(first.values(), key=lambda m: (m[0], m[1])):
        span_start, span_end = normalized.original_span(start, end)
        evidence: dict[str, Any] = {
            "field": "company_name",
            "matched": word.word,
            "text": name[span_start:span_end],
            "span": [span_start, span_end],
            "level": word.level,
            "reason": word.reason,
            "entry_line": word.line,
        }
        if word.level == "prohibited":
            hits.append(
                Hit(
                    rule="prohibited_word",
                    outcome="reject",
                    message=f"企业名称含有禁用字词“{word.word}”（{word.reason}），不予登记，请修改名称。",
                    message_en=(
                        f"The company name contains the prohibited word “{word.word}” ({word.reason}); "
                        "it cannot be registered. Please change the name."
                    ),
                    evidence=evidence,
                )
            )
        else:
            hits.append(
                Hit(
                    rule="restricted_word",
                    outcome="review",
                    message=f"企业名称含有限制使用字词“{word.word}”（{word.reason}），转人工审核。",
                    message_en=(
                        f"The company name contains the restricted word “{word.word}” ({word.reason}); "
                        "it goes to manual review."
                    ),
                    evidence=evidence,
                )
            )
    return hits


def _organisation_form_hit(key: str) -> Hit | None:
    for form in _FORM_KEYS:
        if key.endswith(form) and len(key) > len(form):
            return None
    examples = "、".join(f"“{f}”" for f in ORGANISATION_FORMS[:3])
    return Hit(
        rule="organisation_form",
        outcome="reject",
        message=f"企业名称缺少组织形式，请在名称末尾注明，如{examples}。",
        message_en=(
            "The company name lacks an organisation form; end it with one such as "
            "有限公司 (limited company), 有限责任公司 (limited liability company) "
            "or 股份有限公司 (joint-stock company)."
        ),
        evidence={"field": "company_name", "accepted_forms": list(ORGANISATION_FORMS)},
    )


def _identical_hits(key: str, published: Published) -> list[Hit]:
    existing: list[tuple[str, str, str]] = []  # (name, credit code, source)
    version = published.get(ENTERPRISES)
    if version is not None:
        for entry in selectors.entries_by_keys(version_id=version.id, keys=[key])[:1]:
            existing.append((entry.data["name"], entry.ref, f"{ENTERPRISES} v{version.number}"))
    if not existing:
        registered = selectors.registered_enterprise_by_name_key(name_key=key)
        if registered is not None:
            existing.append((registered.name, registered.credit_code, "registration"))
    return [
        Hit(
            rule="identical_name",
            outcome="reject",
            message=f"企业名称与已登记企业“{name}”（统一社会信用代码 {code}）相同，不予登记。",
            message_en=(
                f"The company name is the same as that of the registered enterprise “{name}” "
                f"(unified social credit code {code}); it cannot be registered."
            ),
            evidence={"field": "company_name", "existing_name": name, "credit_code": code, "source": source},
        )
        for name, code, source in existing
    ]
