"""The structure of an enterprise name: 行政区划 + 字号 + 行业 + 组织形式.

:func:`parse_name` splits a name into those four parts over its normalized form (full-width to
half-width, traditional to simplified, separators removed, casefolded), keeping a map back to
the original characters, and lists what is wrong with the structure:

* ``organisation_form``: no known organisation form at the end;
* ``trade_name_too_short``: a 字号 of fewer than two Chinese characters;
* ``unknown_region``: a leading place name that is not a real county-level-or-above division;
* ``district_without_city``: a city district (市辖区) not preceded by the city it belongs to.

The region may also follow the 字号 in brackets ("云帆（深圳）科技有限公司"), as the naming rules
allow. The same parse gives the keys the enterprises list is indexed by (:func:`name_keys`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from rules.normalize import normalize_text, normalize_with_map
from rules.regions import COUNTY, MUNICIPALITIES, PREFECTURE, PROVINCE, Region, contains, region_table

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
_FORMS = frozenset(ORGANISATION_FORMS)
_FORM_LENGTHS = sorted({len(f) for f in ORGANISATION_FORMS}, reverse=True)

# Industry words (行业表述) grouped by industry: two names are "in the same industry" when their
# main industry words fall in one group. Not exhaustive; a word outside every group is its own.
INDUSTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "tech": (
        "科技",
        "技术",
        "信息技术",
        "信息科技",
        "网络科技",
        "网络技术",
        "网络",
        "信息",
        "软件",
        "软件开发",
        "电子科技",
        "数据科技",
        "数字科技",
        "智能科技",
        "人工智能",
        "大数据",
        "云计算",
        "物联网",
        "区块链",
        "计算机",
        "互联网",
        "通信",
        "通讯",
        "通信技术",
        "电子商务",
        "科技发展",
        "技术服务",
        "生物科技",
        "环保科技",
        "新能源科技",
        "数码",
        "电子",
    ),
    "trade": ("贸易", "商贸", "进出口", "国际贸易", "实业", "供应链", "供应链管理", "商业", "百货", "超市"),
    "catering": ("餐饮", "餐饮管理", "餐饮服务", "食品", "饮品", "酒店", "酒店管理", "餐厅", "茶业"),
    "consulting": (
        "咨询",
        "管理咨询",
        "企业管理",
        "企业管理咨询",
        "教育咨询",
        "商务咨询",
        "信息咨询",
        "顾问",
        "管理",
        "商务服务",
        "人力资源",
        "劳务派遣",
        "会务",
        "会展",
    ),
    "finance": ("投资", "投资管理", "创业投资", "资产管理", "股权投资", "基金管理", "融资租赁", "金融服务", "保险代理"),
    "media": ("文化", "文化传播", "传媒", "广告", "影视", "文化传媒", "娱乐", "文化发展", "出版", "设计"),
    "construction": (
        "建筑",
        "建筑工程",
        "工程",
        "装饰",
        "装饰工程",
        "建设",
        "建材",
        "房地产",
        "房地产开发",
        "物业",
        "物业管理",
        "园林",
        "园林绿化",
        "市政工程",
    ),
    "logistics": ("物流", "运输", "货运", "快递", "仓储", "国际物流", "航运"),
    "manufacturing": (
        "制造",
        "机械",
        "设备",
        "智能装备",
        "新材料",
        "材料",
        "化工",
        "五金",
        "电器",
        "家具",
        "服装",
        "服饰",
        "纺织",
        "印刷",
        "包装",
        "塑胶",
        "模具",
        "汽车",
        "汽车销售",
        "汽车服务",
        "电子元器件",
        "光电",
    ),
    "health": ("医药", "医疗", "医疗器械", "健康", "健康管理", "生物", "生物医药", "药业", "美容", "养老"),
    "education": ("教育", "培训", "教育科技", "职业培训"),
    "agriculture": ("农业", "农业科技", "种植", "养殖", "林业", "渔业", "花卉"),
    "energy": ("能源", "新能源", "电力", "光伏", "环保", "节能", "环境"),
    "travel": ("旅游", "旅行社", "体育", "健身", "娱乐管理"),
}
INDUSTRY_GROUP_OF: dict[str, str] = {word: group for group, words in INDUSTRY_GROUPS.items() for word in words}
# Suffix lookups (longest first) instead of trying every word: names are parsed a million at a
# time when the register is imported.
_INDUSTRY_LENGTHS = sorted({len(w) for w in INDUSTRY_GROUP_OF}, reverse=True)

# Words ending in a region suffix that are not place names ("好又多超市", "华南区块链").
_NOT_REGION_ENDINGS = {
    "超市",
    "城市",
    "都市",
    "门市",
    "夜市",
    "花市",
    "股市",
    "菜市",
    "集市",
    "社区",
    "小区",
    "园区",
    "景区",
    "校区",
    "街区",
    "山区",
    "专区",
    "市区",
    "城区",
    "郊区",
    "片区",
    "厂区",
    "湾区",
    "商区",
    "展区",
    "矿区",
    "营区",
}
_NOT_REGION_FOLLOWERS = {"区块", "市场", "市政", "县域", "区域", "市值", "市民"}
_REGION_LIKE = re.compile(r"^([\u4e00-\u9fff]{1,5}?)(省|自治区|自治州|地区|市|盟|县|区|旗)")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Characters easily mistaken for one another in a trade name (形近字).
_CONFUSABLE_GROUPS = (
    "己已巳",
    "未末",
    "日曰",
    "戊戌戍",
    "土士",
    "人入",
    "天夭",
    "千干于",
    "折拆",
    "杨扬",
    "微徽",
    "辨辩辫",
    "即既",
    "候侯",
    "栗粟",
    "汩汨",
    "贝见",
    "鸟乌",
    "刀力",
    "王玉",
    "大太犬",
    "今令",
)
CONFUSABLES: dict[str, str] = {}
for _group in _CONFUSABLE_GROUPS:
    for _c in _group:
        CONFUSABLES[_c] = CONFUSABLES.get(_c, "") + _group.replace(_c, "")


@dataclass(frozen=True)
class Problem:
    rule: str
    span: tuple[int, int] | None  # in the ORIGINAL name
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class NameParts:
    """The parsed name. Text fields are normalized; spans index the ORIGINAL name."""

    normalized: str
    region: str
    regions: tuple[Region, ...]
    trade_name: str
    trade_span: tuple[int, int] | None
    industry: str
    industry_group: str
    form: str
    is_branch: bool
    problems: tuple[Problem, ...]

    @property
    def core(self) -> str:
        """The name without region and organisation form: 字号 + 行业."""
        return self.trade_name + self.industry


@lru_cache(maxsize=65536)
def _syllable(ch: str) -> str:
    if not _HAN.match(ch):
        return ch
    return lazy_pinyin(ch, style=Style.NORMAL)[0]


def pinyin_of(text: str) -> str:
    """Toneless pinyin, one syllable per character, dash-separated ("云帆" -> "yun-fan")."""
    return "-".join(_syllable(c) for c in text)


_SYMBOLS: dict[str, str] = {}


def pinyin_symbols(text: str) -> str:
    """One symbol per character of ``text``: the same symbol for characters that sound the
    same (toneless), so homophones become identical strings of the same length."""
    out = []
    for ch in text:
        syllable = _syllable(ch)
        if syllable == ch:
            out.append(ch)
            continue
        symbol = _SYMBOLS.get(syllable)
        if symbol is None:
            symbol = _SYMBOLS[syllable] = chr(0xE000 + len(_SYMBOLS))  # private use area
        out.append(symbol)
    return "".join(out)


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def trade_name_variants(trade_name: str) -> list[str]:
    """Trade names one slip away: two neighbours swapped, one character dropped (for names of
    three or more), or a look-alike character (形近字) substituted."""
    variants: list[str] = []
    n = len(trade_name)
    for i in range(n - 1):
        if trade_name[i] != trade_name[i + 1]:
            variants.append(trade_name[:i] + trade_name[i + 1] + trade_name[i] + trade_name[i + 2 :])
    if n >= 3:
        variants += [trade_name[:i] + trade_name[i + 1 :] for i in range(n)]
    for i, ch in enumerate(trade_name):
        for other in CONFUSABLES.get(ch, ""):
            variants.append(trade_name[:i] + other + trade_name[i + 1 :])
    return [v for v in dict.fromkeys(variants) if v and v != trade_name]


def _strip_form(text: str) -> tuple[str, str]:
    """(text without its organisation form(s), the form) — "…合伙企业有限合伙" drops both."""
    form = ""
    for _ in range(2):
        for length in _FORM_LENGTHS:
            if len(text) > length and text[-length:] in _FORMS:
                form = text[-length:] + form
                text = text[:-length]
                break
        else:
            break
    return text, form


def _match_regions(text: str, start: int) -> tuple[list[tuple[Region, int, int]], Problem | None, int]:
    """Greedy province -> prefecture -> county match at ``start``; returns the matched regions
    with their normalized spans, a structural problem if any, and where the region ends."""
    table = region_table()
    matched: list[tuple[Region, int, int]] = []
    pos = start
    problem: Problem | None = None
    level = 0
    lengths_by_first = _region_lengths()
    while pos < len(text):
        best: tuple[Region, int] | None = None
        for length in lengths_by_first.get(text[pos], ()):
            if length > len(text) - pos - 1:
                continue
            candidates = table.lookup(text[pos : pos + length])
            if not candidates:
                continue
            fitting = [r for r in candidates if r.level > level]
            if matched:
                parent = matched[-1][0]
                inside = [r for r in fitting if contains(parent, r)]
                if inside:
                    fitting = inside
                elif parent.level == PROVINCE and any(r.level == PREFECTURE for r in fitting):
                    fitting = []  # a city of another province: not part of this region
                elif any(r.level == COUNTY and r.name.endswith("区") for r in fitting):
                    # A district of some other city right after a city: the district is not
                    # preceded by ITS city.
                    district = next(r for r in fitting if r.level == COUNTY)
                    problem = Problem(
                        "district_without_city",
                        None,
                        {"district": district.name, "after": parent.name, "span": (pos, pos + length)},
                    )
                    fitting = []
                else:
                    fitting = []
            if fitting:
                best = (fitting[0], length)
                break
        if best is None:
            break
        region, length = best
        # A full county-level name only: short forms ("南山") would eat into trade names.
        if region.level == COUNTY and text[pos : pos + length] != region.name:
            break
        matched.append((region, pos, pos + length))
        level = region.level
        pos += length
        if level == COUNTY:
            break
    if matched and problem is None:
        first = matched[0][0]
        if first.level == COUNTY and first.name.endswith("区") and first.code[:2] not in MUNICIPALITIES:
            problem = Problem(
                "district_without_city", None, {"district": first.name, "after": "", "span": matched[0][1:]}
            )
    return matched, problem, pos


@lru_cache(maxsize=1)
def _region_lengths() -> dict[str, tuple[int, ...]]:
    """First character of a region name -> the lengths of names starting with it, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in region_table().by_name:
        if len(name) >= 2:
            lengths.setdefault(name[0], set()).add(len(name))
    return {c: tuple(sorted(v, reverse=True)) for c, v in lengths.items()}


def _unknown_region(text: str, pos: int) -> tuple[int, int] | None:
    """The span of a place-name-like token at ``pos`` that is not a real division, if any."""
    match = _REGION_LIKE.match(text, pos) if pos == 0 else _REGION_LIKE.match(text[pos:])
    if match is None:
        return None
    token = match.group(0)
    end = pos + len(token)
    if token[-2:] in _NOT_REGION_ENDINGS or text[end - 1 : end + 1] in _NOT_REGION_FOLLOWERS:
        return None
    if region_table().is_region(token):
        return None
    if end >= len(text):
        return None
    return pos, end


def _strip_industry(text: str) -> tuple[str, str, str]:
    """(trade name, industry words, industry group): industry words are taken from the end
    while something is left for the trade name ("帆科技" leaves the too short "帆")."""
    industry = ""
    group = ""
    while True:
        for length in _INDUSTRY_LENGTHS:
            if len(text) <= length:
                continue
            word = text[-length:]
            if word in INDUSTRY_GROUP_OF and (not industry or han_count(text[:-length]) >= 2):
                text = text[:-length]
                if not industry:
                    group = INDUSTRY_GROUP_OF[word]
                industry = word + industry
                break
        else:
            return text, industry, group


def parse_name(name: str, *, spans: bool = True) -> NameParts:
    """Parse ``name``; ``spans=False`` skips the map back to the original characters (bulk
    imports of the register need the keys, not the spans)."""
    if spans:
        bracketed = normalize_with_map(name, keep="()")
        normalized, positions = bracketed.text, list(bracketed.positions)
    else:
        normalized, positions = normalize_text(name, keep="()"), None
    chars = list(normalized)
    regions_in_brackets: list[Region] = []
    # A region in brackets after the trade name ("云帆（深圳）科技") is a region, not trade name.
    brackets = re.finditer(r"\(([^()]{2,15})\)", normalized) if "(" in normalized else ()
    for match in reversed(list(brackets)):
        inner = match.group(1)
        found = region_table().lookup(inner)
        if found:
            regions_in_brackets = [found[0], *regions_in_brackets]
            del chars[match.start() : match.end()]
            if positions is not None:
                del positions[match.start() : match.end()]
    if "(" in chars or ")" in chars:
        keep = [i for i, c in enumerate(chars) if c not in "()"]
        text = "".join(chars[i] for i in keep)
        pos_map = [positions[i] for i in keep] if positions is not None else None
    else:
        text, pos_map = "".join(chars), positions

    def original(span: tuple[int, int]) -> tuple[int, int] | None:
        start, end = span
        if pos_map is None or not 0 <= start < end <= len(pos_map):
            return None
        return pos_map[start], pos_map[end - 1] + 1

    problems: list[Problem] = []
    body, form = _strip_form(text)
    is_branch = form.endswith("分公司")
    if not form:
        problems.append(Problem("organisation_form", None, {}))

    matched, region_problem, region_end = _match_regions(body, 0)
    if region_problem is not None:
        detail = dict(region_problem.detail)
        span = detail.pop("span")
        problems.append(Problem(region_problem.rule, original(span), detail))
        region_end = max(region_end, span[1])
    if not matched and region_problem is None:
        unknown = _unknown_region(body, 0)
        if unknown is not None:
            problems.append(Problem("unknown_region", original(unknown), {"region": body[unknown[0] : unknown[1]]}))
            region_end = unknown[1]
    elif matched and matched[-1][0].level < COUNTY and region_problem is None:
        unknown = _unknown_region(body, region_end)
        if unknown is not None and body[unknown[1] - 1] in "区县":
            problems.append(Problem("unknown_region", original(unknown), {"region": body[unknown[0] : unknown[1]]}))
            region_end = unknown[1]

    rest = body[region_end:]
    trade, industry, group = ("", "", "")
    if is_branch:
        trade = rest  # a branch carries its parent's full name; its parts are the parent's business
    else:
        trade, industry, group = _strip_industry(rest)
        if han_count(trade) < 2:
            span = original((region_end, region_end + len(trade))) if trade else None
            problems.append(Problem("trade_name_too_short", span, {"trade_name": trade}))
    trade_span = original((region_end, region_end + len(trade))) if trade else None
    regions = tuple(r for r, _, _ in matched) + tuple(regions_in_brackets)
    return NameParts(
        normalized=text,
        region=body[:region_end],
        regions=regions,
        trade_name=trade,
        trade_span=trade_span,
        industry=industry,
        industry_group=group or industry,
        form=form,
        is_branch=is_branch,
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class NameKeys:
    core: str  # 字号 + 行业: equal cores are the same name
    trade_name: str
    pinyin: str  # pinyin of the trade name, with the industry group: homophones in one industry
    industry_group: str


def name_keys(name: str) -> NameKeys:
    parts = parse_name(name, spans=False)
    core = parts.core or parts.normalized
    pinyin = f"{pinyin_of(parts.trade_name)}|{parts.industry_group}" if parts.trade_name else ""
    return NameKeys(
        core=core[:255], trade_name=parts.trade_name[:255], pinyin=pinyin[:255], industry_group=parts.industry_group
    )
