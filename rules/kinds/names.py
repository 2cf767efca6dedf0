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
* ``name_characters`` (reject): a character no registered name may contain (an emoji, a
  control or bidirectional-override character, a symbol outside the allowed punctuation).
* Against the enterprise register (the published ``enterprises`` layers plus live
  registrations), at the same registration authority only (SAMR order 82; authorities overlap
  when one contains the other, rules.jurisdictions), counting companies cancelled less than a
  year ago:
  ``identical_name`` (reject): the same name once region and organisation form are ignored;
  ``same_trade_name`` (reject): the same 字号 in the same industry;
  ``similar_name`` (review): a 字号 that sounds the same or is one slip away (swapped, dropped
  or look-alike character) in the same industry, with the similar names listed.
  ``name_reserved`` (reject): the same name, or the same 字号 in the same industry, is held by
  someone else's name reservation (名称自主申报) at the same authority;
  ``similar_name_elsewhere`` (advisory, outcome pass): the same or a similar name registered
  at another authority, which is allowed; the names are listed for the applicant's information.

Words come in layers: the national list plus the list of every scope containing the
application's registration authority. A local entry for a word replaces the enclosing one when
it is as strict or stricter (restricted -> prohibited), and relaxes it only with a legal basis
(``word_allowed_locally``, advisory, when a local layer allows the word).

Each check costs one query for the published versions, one for the enterprises layers and one
for the live registrations, however large the register.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import ahocorasick
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from rules import selectors
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, evaluation_context, register
from rules.jurisdictions import NATIONAL, authorities_overlap, scope_label
from rules.kinds.base import Layers, PublishedLists, stack_resolve, with_basis
from rules.lists import CANCELLED_STATUSES, ENTERPRISES, NAME_WORDS, NameWords
from rules.names_charset import disallowed_characters
from rules.naming import ORGANISATION_FORMS, NameParts, parse_name, pinyin_of, pinyin_symbols, trade_name_variants
from rules.normalize import Normalized, normalize_with_map
from rules.selectors import PublishedVersion

REGULATION = "《企业名称登记管理规定》"
BASIS = {
    "organisation_form": f"{REGULATION}第十条",
    "trade_name_too_short": f"{REGULATION}第八条",
    "unknown_region": f"{REGULATION}第七条",
    "district_without_city": f"{REGULATION}第七条",
    "identical_name": f"{REGULATION}第十七条",
    "same_trade_name": f"{REGULATION}第十七条",
    "name_characters": f"{REGULATION}第九条",
    "name_reserved": f"{REGULATION}第十八条",
}
SIMILAR_LISTED = 10
_NAME_WORDS = NameWords()


@dataclass(frozen=True)
class _Word:
    key: str
    word: str
    level: str
    reason: str
    legal_basis: str
    line: int
    scope: str = NATIONAL
    version: int = 0

    def entry(self) -> EntryRef:
        return EntryRef(list=NAME_WORDS, version=self.version, line=self.line, id=self.key, scope=self.scope)


def _word_data(word: _Word) -> dict[str, Any]:
    return {"level": word.level, "legal_basis": word.legal_basis}


@dataclass(frozen=True)
class _Automata:
    """One layer's words: an automaton over the words, one over the pinyin of its prohibited
    words, and every word by key (to stack a word's entries across layers)."""

    exact: ahocorasick.Automaton | None
    homophone: ahocorasick.Automaton | None
    words: dict[str, _Word]
    version: int
    scope: str


def _build_automata(version: PublishedVersion) -> _Automata:
    exact = ahocorasick.Automaton()
    homophone = ahocorasick.Automaton()
    words: dict[str, _Word] = {}
    for key, _ref, data, line in selectors.version_entries(version_id=version.id):
        word = _Word(
            key,
            data["word"],
            data["level"],
            data["reason"],
            data.get("legal_basis", ""),
            line,
            scope=version.scope,
            version=version.number,
        )
        words[key] = word
        exact.add_word(key, word)
        # Homophones of prohibited Chinese words only: a restricted word is reviewed anyway,
        # and Latin words have no pinyin.
        symbols = pinyin_symbols(key)
        if word.level == "prohibited" and symbols != key and len(key) >= 2:
            homophone.add_word(symbols, word)
    if len(exact) == 0:
        return _Automata(None, None, words, version.number, version.scope)
    exact.make_automaton()
    if len(homophone):
        homophone.make_automaton()
    return _Automata(exact, homophone if len(homophone) else None, words, version.number, version.scope)


@register("names", verbose_name=_("企业名称库"))
class NamesLibrary(LibraryKind):
    list_kinds = (NAME_WORDS, ENTERPRISES)

    def __init__(self) -> None:
        self.lists: PublishedLists[_Automata] = PublishedLists(self.list_kinds, _build_automata)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        layers = self.lists.layers()
        versions = self.lists.version_numbers(layers)
        word_layers = [self.lists.structure(version) for version in layers[NAME_WORDS]]
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
        hits.extend(_character_hits(name))
        hits.extend(_word_hits(name, normalized, word_layers))
        parts = parse_name(name)
        hits.extend(_structure_hits(name, parts))
        hits.extend(_register_hits(name, parts, normalized.text, layers, subject.reservation))
        return Evaluation(hits=tuple(hits), versions=versions)


def _character_hits(name: str) -> list[Hit]:
    bad = disallowed_characters(name)
    if not bad:
        return []
    basis = BASIS["name_characters"]
    shown = "、".join(f"U+{ord(ch):04X}" for _, ch in bad[:5])
    start = bad[0][0]
    return [
        Hit(
            rule="name_characters",
            outcome="reject",
            message=with_basis(
                f"企业名称含有不得使用的字符（{shown}）。名称只能使用规范汉字、字母、数字和（）()·、等标点。",
                basis,
            ),
            message_en=with_basis(
                f"The company name contains characters a registered name may not use ({shown}). Use Chinese "
                "characters, Latin letters, digits and the allowed punctuation such as （）()·、.",
                basis,
                english=True,
            ),
            evidence={
                "field": "company_name",
                "characters": [f"U+{ord(ch):04X}" for _, ch in bad],
                "span": [start, start + 1],
                "legal_basis": basis,
            },
        )
    ]


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


def _effective_word(key: str, word_layers: list[_Automata]) -> tuple[_Word, dict[str, Any] | None]:
    """The entry in force for a word once the layers are stacked, and what it relaxes."""
    stack = [(layer.scope, layer.words[key]) for layer in word_layers if key in layer.words]
    effective = stack_resolve(stack, spec=_NAME_WORDS, data=_word_data)
    relaxes = None
    if effective.relaxes is not None:
        scope, outer = effective.relaxes
        relaxes = {"scope": scope, "version": outer.version, "level": outer.level, "reason": outer.reason}
    return effective.entry, relaxes


def _word_hits(name: str, normalized: Normalized, word_layers: list[_Automata]) -> list[Hit]:
    first: dict[str, tuple[int, int]] = {}
    for layer in word_layers:
        if layer.exact is None:
            continue
        for end, word in layer.exact.iter(normalized.text):
            start = end - len(word.key) + 1
            if word.key not in first or start < first[word.key][0]:  # each word once, where it first occurs
                first[word.key] = (start, end + 1)
    hits = []
    for key, (start, end) in sorted(first.items(), key=lambda m: (m[1][0], m[1][1])):
        word, relaxes = _effective_word(key, word_layers)
        evidence = _word_evidence(name, normalized, start, end, word)
        evidence["scope"] = word.scope
        if relaxes is not None:
            evidence["relaxes"] = relaxes
        entry = word.entry()
        if word.level == "allowed":
            assert relaxes is not None  # an allowed entry only ever lifts an enclosing one
            hits.append(
                Hit(
                    rule="word_allowed_locally",
                    outcome="pass",
                    message=with_basis(
                        f"企业名称含有“{word.word}”，{_scope_zh(relaxes['scope'])}名单列为"
                        f"{_LEVEL_ZH[relaxes['level']]}字词，{_scope_zh(word.scope)}准予使用（{word.reason}）。",
                        word.legal_basis,
                    ),
                    message_en=with_basis(
                        f"The company name contains “{word.word}”, a {relaxes['level']} word on the "
                        f"{_scope_en(relaxes['scope'])} list, which {_scope_en(word.scope)} allows ({word.reason}).",
                        word.legal_basis,
                        english=True,
                    ),
                    evidence=evidence,
                    entry=entry,
                )
            )
        elif word.level == "prohibited":
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
    exact_spans = set(first.values())
    seen: set[str] = set()
    symbols = pinyin_symbols(normalized.text) if any(layer.homophone is not None for layer in word_layers) else ""
    for layer in word_layers:
        if layer.homophone is None:
            continue
        for end, found in layer.homophone.iter(symbols):
            start = end - len(found.key) + 1
            if (start, end + 1) in exact_spans or found.key in seen or found.key in first:
                continue
            if normalized.text[start : end + 1] == found.key:
                continue
            word, _relaxes = _effective_word(found.key, word_layers)
            if word.level != "prohibited":  # a layer relaxed the word: its homophones are no concern
                continue
            seen.add(word.key)
            evidence = _word_evidence(name, normalized, start, end + 1, word)
            evidence["scope"] = word.scope
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
                    entry=word.entry(),
                )
            )
    return hits


_LEVEL_ZH = {"prohibited": "禁用", "restricted": "限制使用", "allowed": "准予使用"}


def _scope_zh(scope: str) -> str:
    return "全国" if scope == NATIONAL else scope_label(scope).split(" (")[0]


def _scope_en(scope: str) -> str:
    return "national" if scope == NATIONAL else f"the {scope} layer"


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
    authority: str = ""
    cancelled: bool = False
    cancelled_on: datetime.date | None = None

    def holds_name(self, moment: datetime.datetime) -> bool:
        """Whether the name is still taken at ``moment``: an active company's always; a cancelled
        one's for a year after the cancellation (without a date: taken, to be safe)."""
        if not self.cancelled or self.cancelled_on is None:
            return True
        return moment.date() < _one_year_after(self.cancelled_on)

    def describe(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "name": self.name,
            "credit_code": self.credit_code,
            "authority": self.authority,
            "source": self.source,
        }
        if self.cancelled:
            shown["status"] = "cancelled"
            shown["cancelled_on"] = self.cancelled_on.isoformat() if self.cancelled_on else None
        return shown

    def note_zh(self) -> str:
        if not self.cancelled:
            return ""
        when = f"于{self.cancelled_on.isoformat()}" if self.cancelled_on else ""
        return f"（该企业已{when}注销，注销未满一年，名称仍受保护）"

    def note_en(self) -> str:
        if not self.cancelled:
            return ""
        when = f" on {self.cancelled_on.isoformat()}" if self.cancelled_on else ""
        return f" (cancelled{when}, less than a year ago: its name is still protected)"


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28) + datetime.timedelta(days=1)


def _cancelled_on(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _existing_companies(
    *, core: str, trade: str, variants: list[str], pinyin: str, layers: list[PublishedVersion]
) -> list[_Existing]:
    context = evaluation_context()
    as_of = context.as_of
    moment = context.moment()
    by_id = {version.id: version for version in layers}
    existing: list[_Existing] = []
    rows = selectors.entries_matching(
        version_ids=list(by_id), key=core, key2=[trade, *variants] if trade else [], key3=pinyin
    )
    for version_id, line, key, ref, key2, key3, data in rows:
        if isinstance(data, str):
            data = json.loads(data)
        version = by_id[version_id]
        where = "" if version.scope == NATIONAL else f"@{version.scope}"
        status = str(data.get("status", "")).lower()
        existing.append(
            _Existing(
                name=data["name"],
                credit_code=ref,
                source=f"{ENTERPRISES}{where} v{version.number}",
                core=key,
                trade_name=key2,
                pinyin=key3,
                industry=str(data.get("industry", "")),
                entry=EntryRef(list=ENTERPRISES, version=version.number, line=line, id=ref, scope=version.scope),
                authority=str(data.get("authority", "")),
                cancelled=status in CANCELLED_STATUSES,
                cancelled_on=_cancelled_on(data.get("cancelled_on")),
            )
        )
    for registered in selectors.registered_enterprises_matching(
        core_key=core, trade_name_keys=[trade, *variants] if trade else [], pinyin_key=pinyin, as_of=as_of
    ):
        # A cancellation after the moment being checked (a replay) had not happened yet.
        cancelled = registered.cancelled_at is not None and registered.cancelled_at <= moment
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
                authority=registered.authority,
                cancelled=cancelled,
                cancelled_on=_cancelled_on(registered.cancelled_at) if cancelled else None,
            )
        )
    return existing


def _register_hits(
    name: str, parts: NameParts, normalized: str, layers: Layers, subject_reservation: str = ""
) -> list[Hit]:
    core = parts.core or normalized
    trade = parts.trade_name if len(parts.trade_name) >= 2 else ""
    group = parts.industry_group
    pinyin = f"{pinyin_of(trade)}|{group}" if trade else ""
    variants = trade_name_variants(trade) if trade else []
    context = evaluation_context()
    moment = context.moment()
    existing = _existing_companies(
        core=core, trade=trade, variants=variants, pinyin=pinyin, layers=layers.get(ENTERPRISES, [])
    )
    reserved = [
        r
        for r in selectors.name_reservations_holding(
            core_key=core, trade_name_keys=[trade] if trade else [], moment=moment, as_of=context.as_of
        )
        if r.reference != subject_reservation
    ]
    # Where the applicant registers matters only once a name of the register comes close.
    authority = context.jurisdiction.authority if existing or reserved else ""

    identical: list[_Existing] = []
    same_trade: list[_Existing] = []
    similar: list[tuple[_Existing, str]] = []
    elsewhere: list[tuple[_Existing, str]] = []
    seen_codes: set[str] = set()
    for other in existing:
        if other.credit_code in seen_codes:
            continue
        seen_codes.add(other.credit_code)
        if not other.holds_name(moment):
            continue  # cancelled a year ago or more: the name is free again
        same_industry = bool(group) and other.industry == group
        here = authorities_overlap(authority, other.authority)
        relation = ""
        if other.core == core:
            relation = "identical"
        elif trade and other.trade_name == trade:
            relation = "same_trade_name" if same_industry else ""
        elif trade and pinyin and other.pinyin == pinyin:
            relation = "homophone"
        elif trade and other.trade_name in variants and (same_industry or not group or not other.industry):
            relation = "near_identical"
        if not relation:
            continue
        if not here:
            elsewhere.append((other, relation))
        elif relation == "identical":
            identical.append(other)
        elif relation == "same_trade_name":
            same_trade.append(other)
        else:
            similar.append((other, relation))

    hits: list[Hit] = []
    trade_evidence: dict[str, Any] = {"field": "company_name", "trade_name": parts.trade_name}
    if parts.trade_span is not None:
        trade_evidence["span"] = list(parts.trade_span)
        trade_evidence["text"] = name[parts.trade_span[0] : parts.trade_span[1]]
    for reservation in reserved:
        same_name = reservation.core_key == core
        if not authorities_overlap(authority, reservation.authority):
            continue
        if not same_name and not (trade and reservation.trade_name_key == trade and reservation.industry == group):
            continue
        basis = BASIS["name_reserved"]
        hits.append(
            Hit(
                rule="name_reserved",
                outcome="reject",
                message=with_basis(
                    f"“{reservation.name}”已在同一登记机关申报保留（保留至{reservation.expires_at:%Y-%m-%d}），"
                    + ("名称相同" if same_name else f"字号“{parts.trade_name}”同行业相同")
                    + "，保留期内不予登记。",
                    basis,
                ),
                message_en=with_basis(
                    f"“{reservation.name}” is reserved at the same registration authority until "
                    f"{reservation.expires_at:%Y-%m-%d} ("
                    + (
                        "the same name"
                        if same_name
                        else f"the same trade name “{parts.trade_name}” in the same industry"
                    )
                    + "); it cannot be registered while the reservation holds.",
                    basis,
                    english=True,
                ),
                evidence={
                    **trade_evidence,
                    "reserved_name": reservation.name,
                    "authority": reservation.authority,
                    "expires_at": reservation.expires_at.isoformat(),
                    "legal_basis": basis,
                },
            )
        )
        break
    for other in identical[:3]:
        basis = BASIS["identical_name"]
        hits.append(
            Hit(
                rule="identical_name",
                outcome="reject",
                message=with_basis(
                    f"企业名称与同一登记机关已登记企业“{other.name}”（统一社会信用代码 {other.credit_code}）相同"
                    f"（不计行政区划和组织形式）{other.note_zh()}，不予登记。",
                    basis,
                ),
                message_en=with_basis(
                    f"The company name is the same as that of “{other.name}” (unified social credit code "
                    f"{other.credit_code}), registered at the same registration authority{other.note_en()}, region "
                    "and organisation form aside; it cannot be registered.",
                    basis,
                    english=True,
                ),
                evidence={
                    "field": "company_name",
                    "existing_name": other.name,
                    "credit_code": other.credit_code,
                    "source": other.source,
                    "registration_authority": authority,
                    "existing": other.describe(),
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
                    f"企业名称的字号“{parts.trade_name}”与同一登记机关同行业已登记企业“{other.name}”"
                    f"（统一社会信用代码 {other.credit_code}）的字号相同{other.note_zh()}，不予登记。",
                    basis,
                ),
                message_en=with_basis(
                    f"The trade name “{parts.trade_name}” is already used in the same industry by “{other.name}” "
                    f"(unified social credit code {other.credit_code}), registered at the same registration "
                    f"authority{other.note_en()}; it cannot be registered.",
                    basis,
                    english=True,
                ),
                evidence={
                    **trade_evidence,
                    "existing_name": other.name,
                    "credit_code": other.credit_code,
                    "industry": group,
                    "source": other.source,
                    "registration_authority": authority,
                    "existing": other.describe(),
                    "legal_basis": basis,
                },
                entry=other.entry,
            )
        )
    if similar:
        listed = _listed(similar, trade)
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
    if elsewhere:
        listed = _listed(elsewhere, trade)
        names_zh = "、".join(f"“{s['name']}”" for s in listed)
        hits.append(
            Hit(
                rule="similar_name_elsewhere",
                outcome="pass",
                message=(
                    f"其他登记机关已登记相同或近似名称的企业{names_zh}。字号相同只在同一登记机关内受限，"
                    "本名称可以登记，仅供参考。"
                ),
                message_en=(
                    "Enterprises with the same or a similar name are registered at other registration authorities: "
                    + ", ".join(f"“{s['name']}”" for s in listed)
                    + ". A trade name is exclusive only at one registration authority, so this name may be "
                    "registered; for information only."
                ),
                evidence={
                    **trade_evidence,
                    "registration_authority": authority,
                    "similar": listed,
                    "similar_count": len(elsewhere),
                },
                entry=elsewhere[0][0].entry,
            )
        )
    return hits


def _listed(similar: list[tuple[_Existing, str]], trade: str) -> list[dict[str, Any]]:
    return [
        {
            **other.describe(),
            "trade_name": other.trade_name,
            "relation": relation,
            "similarity": round(fuzz.ratio(trade, other.trade_name), 1) if trade else 0.0,
        }
        for other, relation in similar[:SIMILAR_LISTED]
    ]
