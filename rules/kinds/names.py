"""Enterprise-name library (企业名称库).

Rules, each explained in Chinese and English, with the legal basis where there is one:

* ``name_missing`` (reject): no name at all.
* ``prohibited_word`` (reject) / ``restricted_word`` (review): a word of the published
  ``name_words`` list occurs in the name. All words are matched at once by one Aho-Corasick
  automaton over the normalized name, so spaces, punctuation, full-width or traditional
  characters slipped into a word do not hide it; the evidence span points into the original name.
* ``prohibited_homophone`` (review): a prohibited word spelled with other characters of the same
  sound (a second automaton over the pinyin of the name).
* Structure (reject, see rules.naming): ``organisation_form``, ``trade_name_too_short``,
  ``unknown_region``, ``district_without_city``.
* Against the enterprise register (the published ``enterprises`` list plus live registrations):
  ``identical_name`` (reject): the same name once region and organisation form are ignored;
  ``same_trade_name`` (reject): the same 字号 in the same industry;
  ``similar_name`` (review): a 字号 that sounds the same or is one slip away (swapped, dropped
  or look-alike character) in the same industry, with the similar names listed.

Each check costs one query for the published versions, one for the enterprises list and one for
the live registrations, however large the register.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import ahocorasick
from rapidfuzz import fuzz

from rules import selectors
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, evaluation_context, register
from rules.kinds.base import Published, PublishedLists, with_basis
from rules.lists import ENTERPRISES, NAME_WORDS
from rules.naming import ORGANISATION_FORMS, NameParts, parse_name, pinyin_of, pinyin_symbols, trade_name_variants
from rules.normalize import Normalized, normalize_with_map

REGULATION = "《企业名称登记管理规定》"
BASIS = {
    "organisation_form": f"{REGULATION}第十条",
    "trade_name_too_short": f"{REGULATION}第八条",
    "unknown_region": f"{REGULATION}第七条",
    "district_without_city": f"{REGULATION}第七条",
    "identical_name": f"{REGULATION}第十七条",
    "same_trade_name": f"{REGULATION}第十七条",
}
SIMILAR_LISTED = 10


@dataclass(frozen=True)
class _Word:
    key: str
    word: str
    level: str
    reason: str
    legal_basis: str
    line: int


@dataclass(frozen=True)
class _Automata:
    exact: ahocorasick.Automaton | None
    homophone: ahocorasick.Automaton | None
    version: int


def _build_automata(published: Published) -> _Automata:
    version = published.get(NAME_WORDS)
    if version is None:
        return _Automata(None, None, 0)
    exact = ahocorasick.Automaton()
    homophone = ahocorasick.Automaton()
    for key, _ref, data, line in selectors.version_entries(version_id=version.id):
        word = _Word(key, data["word"], data["level"], data["reason"], data.get("legal_basis", ""), line)
        exact.add_word(key, word)
        # Homophones of prohibited Chinese words only: a restricted word is reviewed anyway,
        # and Latin words have no pinyin.
        symbols = pinyin_symbols(key)
        if word.level == "prohibited" and symbols != key and len(key) >= 2:
            homophone.add_word(symbols, word)
    if len(exact) == 0:
        return _Automata(None, None, version.number)
    exact.make_automaton()
    if len(homophone):
        homophone.make_automaton()
    return _Automata(exact, homophone if len(homophone) else None, version.number)


@register("names")
class NamesLibrary(LibraryKind):
    list_kinds = (NAME_WORDS, ENTERPRISES)

    def __init__(self) -> None:
        self.lists: PublishedLists[_Automata] = PublishedLists(self.list_kinds, _build_automata)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        published, automata = self.lists.current()
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
        hits.extend(_word_hits(name, normalized, automata))
        parts = parse_name(name)
        hits.extend(_structure_hits(name, parts))
        hits.extend(_register_hits(name, parts, normalized.text, published))
        return Evaluation(hits=tuple(hits), versions=versions)


def _word_evidence(name: str, normalized: Normalized, start: int, end: int, word: _Word) -> dict[str, Any]:
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
    if word.legal_basis:
        evidence["legal_basis"] = word.legal_basis
    return evidence


def _word_hits(name: str, normalized: Normalized, automata: _Automata) -> list[Hit]:
    if automata.exact is None:
        return []
    first: dict[str, tuple[int, int, _Word]] = {}
    for end, word in automata.exact.iter(normalized.text):
        start = end - len(word.key) + 1
        if word.key not in first:  # report each word once, at its first occurrence
            first[word.key] = (start, end + 1, word)
    hits = []
    for start, end, word in sorted(first.values(), key=lambda m: (m[0], m[1])):
        evidence = _word_evidence(name, normalized, start, end, word)
        entry = EntryRef(list=NAME_WORDS, version=automata.version, line=word.line, id=word.key)
        if word.level == "prohibited":
            hits.append(
                Hit(
                    rule="prohibited_word",
                    outcome="reject",
                    message=with_basis(
                        f"企业名称含有禁用字词“{word.word}”（{word.reason}），不予登记，请修改名称。", word.legal_basis
                    ),
                    message_en=with_basis(
                        f"The company name contains the prohibited word “{word.word}” ({word.reason}); "
                        "it cannot be registered. Please change the name.",
                        word.legal_basis,
                        english=True,
                    ),
                    evidence=evidence,
                    entry=entry,
                )
            )
        else:
            hits.append(
                Hit(
                    rule="restricted_word",
                    outcome="review",
                    message=with_basis(
                        f"企业名称含有限制使用字词“{word.word}”（{word.reason}），转人工审核。", word.legal_basis
                    ),
                    message_en=with_basis(
                        f"The company name contains the restricted word “{word.word}” ({word.reason}); "
                        "it goes to manual review.",
                        word.legal_basis,
                        english=True,
                    ),
                    evidence=evidence,
                    entry=entry,
                )
            )
    if automata.homophone is not None:
        exact_spans = {(s, e) for s, e, _ in first.values()}
        seen: set[str] = set()
        symbols = pinyin_symbols(normalized.text)
        for end, word in automata.homophone.iter(symbols):
            start = end - len(word.key) + 1
            if (start, end + 1) in exact_spans or word.key in seen or word.key in first:
                continue
            if normalized.text[start : end + 1] == word.key:
                continue
            seen.add(word.key)
            evidence = _word_evidence(name, normalized, start, end + 1, word)
            evidence["pinyin"] = pinyin_of(word.key)
            hits.append(
                Hit(
                    rule="prohibited_homophone",
                    outcome="review",
                    message=(
                        f"企业名称中的“{evidence['text']}”与禁用字词“{word.word}”读音相同（{evidence['pinyin']}），"
                        "转人工审核。"
                    ),
                    message_en=(
                        f"“{evidence['text']}” in the company name sounds like the prohibited word “{word.word}” "
                        f"({evidence['pinyin']}); the application goes to manual review."
                    ),
                    evidence=evidence,
                    entry=EntryRef(list=NAME_WORDS, version=automata.version, line=word.line, id=word.key),
                )
            )
    return hits


def _structure_hits(name: str, parts: NameParts) -> list[Hit]:
    hits = []
    for problem in parts.problems:
        evidence: dict[str, Any] = {"field": "company_name", **problem.detail}
        if problem.span is not None:
            evidence["span"] = list(problem.span)
            evidence["text"] = name[problem.span[0] : problem.span[1]]
        basis = BASIS.get(problem.rule, "")
        evidence["legal_basis"] = basis
        if problem.rule == "organisation_form":
            examples = "、".join(f"“{f}”" for f in ORGANISATION_FORMS[:3])
            evidence["accepted_forms"] = list(ORGANISATION_FORMS)
            zh = f"企业名称缺少组织形式，请在名称末尾注明，如{examples}。"
            en = (
                "The company name lacks an organisation form; end it with one such as "
                "有限公司 (limited company), 有限责任公司 (limited liability company) "
                "or 股份有限公司 (joint-stock company)."
            )
        elif problem.rule == "trade_name_too_short":
            trade = str(problem.detail.get("trade_name", ""))
            zh = f"企业名称中的字号“{trade}”应当由两个以上汉字组成。" if trade else "企业名称缺少字号。"
            en = (
                f"The trade name “{trade}” must consist of at least two Chinese characters."
                if trade
                else "The company name has no trade name (字号)."
            )
        elif problem.rule == "unknown_region":
            region = problem.detail.get("region", "")
            zh = f"企业名称中的“{region}”不是县级以上行政区划名称。"
            en = f"“{region}” in the company name is not the name of a county-level or higher administrative division."
        elif problem.rule == "district_without_city":
            district = problem.detail.get("district", "")
            after = problem.detail.get("after", "")
            zh = (
                f"企业名称使用市辖区名称“{district}”时，应当同时冠以其所属的设区的市的名称"
                + (f"（“{district}”不属于“{after}”）" if after else "")
                + "。"
            )
            en = (
                f"A city district (“{district}”) in a company name must be preceded by the name of its city"
                + (f" (“{district}” is not a district of “{after}”)" if after else "")
                + "."
            )
        else:  # pragma: no cover - every problem rule is handled above
            zh = en = problem.rule
        hits.append(
            Hit(
                rule=problem.rule,
                outcome="reject",
                message=with_basis(zh, basis),
                message_en=with_basis(en, basis, english=True),
                evidence=evidence,
            )
        )
    return hits


@dataclass(frozen=True)
class _Existing:
    name: str
    credit_code: str
    source: str
    core: str
    trade_name: str
    pinyin: str
    industry: str
    entry: EntryRef | None


def _register_hits(name: str, parts: NameParts, normalized: str, published: Published) -> list[Hit]:
    core = parts.core or normalized
    trade = parts.trade_name if len(parts.trade_name) >= 2 else ""
    group = parts.industry_group
    pinyin = f"{pinyin_of(trade)}|{group}" if trade else ""
    variants = trade_name_variants(trade) if trade else []
    as_of = evaluation_context().as_of

    existing: list[_Existing] = []
    version = published.get(ENTERPRISES)
    if version is not None:
        rows = selectors.entries_matching(
            version_id=version.id, key=core, key2=[trade, *variants] if trade else [], key3=pinyin
        )
        for line, key, ref, key2, key3, data in rows:
            if isinstance(data, str):
                data = json.loads(data)
            existing.append(
                _Existing(
                    name=data["name"],
                    credit_code=ref,
                    source=f"{ENTERPRISES} v{version.number}",
                    core=key,
                    trade_name=key2,
                    pinyin=key3,
                    industry=str(data.get("industry", "")),
                    entry=EntryRef(list=ENTERPRISES, version=version.number, line=line, id=ref),
                )
            )
    for registered in selectors.registered_enterprises_matching(
        core_key=core, trade_name_keys=[trade, *variants] if trade else [], pinyin_key=pinyin, as_of=as_of
    ):
        existing.append(
            _Existing(
                name=registered.name,
                credit_code=registered.credit_code,
                source="registration",
                core=registered.core_key,
                trade_name=registered.trade_name_key,
                pinyin=registered.pinyin_key,
                industry=registered.industry,
                entry=None,
            )
        )

    identical: list[_Existing] = []
    same_trade: list[_Existing] = []
    similar: list[tuple[_Existing, str]] = []
    seen_codes: set[str] = set()
    for other in existing:
        if other.credit_code in seen_codes:
            continue
        seen_codes.add(other.credit_code)
        same_industry = bool(group) and other.industry == group
        if other.core == core:
            identical.append(other)
        elif trade and other.trade_name == trade:
            if same_industry:
                same_trade.append(other)
        elif trade and pinyin and other.pinyin == pinyin:
            similar.append((other, "homophone"))
        elif trade and other.trade_name in variants and (same_industry or not group or not other.industry):
            similar.append((other, "near_identical"))

    hits: list[Hit] = []
    trade_evidence: dict[str, Any] = {"field": "company_name", "trade_name": parts.trade_name}
    if parts.trade_span is not None:
        trade_evidence["span"] = list(parts.trade_span)
        trade_evidence["text"] = name[parts.trade_span[0] : parts.trade_span[1]]
    for other in identical[:3]:
        basis = BASIS["identical_name"]
        hits.append(
            Hit(
                rule="identical_name",
                outcome="reject",
                message=with_basis(
                    f"企业名称与已登记企业“{other.name}”（统一社会信用代码 {other.credit_code}）相同"
                    "（不计行政区划和组织形式），不予登记。",
                    basis,
                ),
                message_en=with_basis(
                    f"The company name is the same as that of the registered enterprise “{other.name}” "
                    f"(unified social credit code {other.credit_code}), region and organisation form aside; "
                    "it cannot be registered.",
                    basis,
                    english=True,
                ),
                evidence={
                    "field": "company_name",
                    "existing_name": other.name,
                    "credit_code": other.credit_code,
                    "source": other.source,
                    "legal_basis": basis,
                },
                entry=other.entry,
            )
        )
    for other in same_trade[:3]:
        basis = BASIS["same_trade_name"]
        hits.append(
            Hit(
                rule="same_trade_name",
                outcome="reject",
                message=with_basis(
                    f"企业名称的字号“{parts.trade_name}”与同行业已登记企业“{other.name}”"
                    f"（统一社会信用代码 {other.credit_code}）的字号相同，不予登记。",
                    basis,
                ),
                message_en=with_basis(
                    f"The trade name “{parts.trade_name}” is already used in the same industry by the registered "
                    f"enterprise “{other.name}” (unified social credit code {other.credit_code}); "
                    "it cannot be registered.",
                    basis,
                    english=True,
                ),
                evidence={
                    **trade_evidence,
                    "existing_name": other.name,
                    "credit_code": other.credit_code,
                    "industry": group,
                    "source": other.source,
                    "legal_basis": basis,
                },
                entry=other.entry,
            )
        )
    if similar:
        listed = [
            {
                "name": other.name,
                "credit_code": other.credit_code,
                "trade_name": other.trade_name,
                "relation": relation,
                "similarity": round(fuzz.ratio(trade, other.trade_name), 1),
                "source": other.source,
            }
            for other, relation in similar[:SIMILAR_LISTED]
        ]
        names_zh = "、".join(f"“{s['name']}”" for s in listed)
        hits.append(
            Hit(
                rule="similar_name",
                outcome="review",
                message=f"企业名称的字号“{parts.trade_name}”与同行业已登记企业{names_zh}的字号读音相同或近似，转人工审核。",
                message_en=(
                    f"The trade name “{parts.trade_name}” sounds the same as, or is nearly identical to, that of "
                    f"{len(similar)} registered enterprise(s) in the same industry: "
                    + ", ".join(f"“{s['name']}”" for s in listed)
                    + "; the application goes to manual review."
                ),
                evidence={**trade_evidence, "similar": listed, "similar_count": len(similar)},
                entry=similar[0][0].entry,
            )
        )
    return hits
