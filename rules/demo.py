"""Realistic, deterministic demo data for the five rule-library lists.

Names and ID numbers come from Faker's zh_CN locale; every ID number and credit code passes
python-stdnum's checks, because the import rejects anything that does not. The Shenzhen
addresses are made of real district and street names and include 深圳市南山区粤海街道科苑路15号
科兴科学园A栋, the building of the contract's example application.
"""

from __future__ import annotations

import csv
import datetime
import io
import random

from faker import Faker
from stdnum.cn import ric, uscc

from rules.addressing import address_key
from rules.lists import (
    ADDRESS_BLACKLIST,
    DISHONEST_PERSONS,
    ENTERPRISES,
    NAME_WORDS,
    STANDARD_ADDRESSES,
    list_kind_get,
)

Rows = list[dict[str, str]]

# (word, reason). Prohibited words are refused outright; restricted ones need an approval.
PROHIBITED_WORDS: tuple[tuple[str, str], ...] = (
    ("党中央", "使用党和国家机关名称，有损国家利益"),
    ("中共中央", "使用党和国家机关名称，有损国家利益"),
    ("国务院", "使用国家机关名称，有损国家利益"),
    ("全国人大", "使用国家机关名称，有损国家利益"),
    ("中央军委", "使用军队机关名称"),
    ("解放军", "使用军队名称"),
    ("武警", "使用武装力量名称"),
    ("公安局", "使用国家机关名称"),
    ("赌博", "违背公序良俗"),
    ("博彩", "违背公序良俗"),
    ("赌场", "违背公序良俗"),
    ("六合彩", "违背公序良俗"),
    ("色情", "违背公序良俗"),
    ("淫秽", "违背公序良俗"),
    ("毒品", "违反法律禁止性规定"),
    ("传销", "违反法律禁止性规定"),
    ("邪教", "违反法律禁止性规定"),
    ("法轮功", "违反法律禁止性规定"),
    ("恐怖", "可能对公众造成欺骗或者误解"),
    ("黑社会", "违背公序良俗"),
    ("洗钱", "违反法律禁止性规定"),
    ("纳粹", "违背公序良俗"),
)
RESTRICTED_WORDS: tuple[tuple[str, str], ...] = (
    ("中国", "冠以“中国”字样须经国务院批准"),
    ("中华", "冠以“中华”字样须经国务院批准"),
    ("全国", "冠以“全国”字样须经国务院批准"),
    ("国家", "冠以“国家”字样须经国务院批准"),
    ("国际", "冠以“国际”字样须经国务院批准"),
    ("银行", "金融类名称须经金融监管部门前置审批"),
    ("保险", "金融类名称须经金融监管部门前置审批"),
    ("证券", "金融类名称须经证券监管部门前置审批"),
    ("基金", "金融类名称须经金融监管部门前置审批"),
    ("期货", "金融类名称须经证券监管部门前置审批"),
    ("信托", "金融类名称须经金融监管部门前置审批"),
    ("金融", "金融类名称须经金融监管部门前置审批"),
    ("小额贷款", "须经地方金融监管部门前置审批"),
    ("融资担保", "须经地方金融监管部门前置审批"),
    ("典当", "须经地方金融监管部门前置审批"),
    ("支付", "非银行支付业务须经人民银行许可"),
    ("征信", "须经人民银行备案"),
    ("交易所", "须经国务院或其授权部门批准"),
    ("彩票", "须经财政部门批准"),
    ("医院", "须经卫生健康部门审批"),
)

# District -> (administrative code, streets, roads). Real names; which road lies in which street
# is simplified.
DISTRICTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "南山区": (
        "440305",
        ("粤海街道", "南头街道", "招商街道", "蛇口街道", "沙河街道", "西丽街道", "桃源街道", "南山街道"),
        ("科苑路", "高新南一道", "深南大道", "科技南十二路", "后海大道", "南海大道", "学府路", "创业路", "留仙大道"),
    ),
    "福田区": (
        "440304",
        ("福田街道", "沙头街道", "香蜜湖街道", "莲花街道", "华富街道", "梅林街道", "华强北街道", "园岭街道"),
        ("福华一路", "益田路", "金田路", "深南中路", "华强北路", "红荔路", "福中三路", "新洲路", "彩田路"),
    ),
    "罗湖区": (
        "440303",
        ("桂园街道", "东门街道", "黄贝街道", "翠竹街道", "南湖街道", "笋岗街道"),
        ("深南东路", "人民南路", "东门中路", "解放路", "宝安南路", "建设路"),
    ),
    "宝安区": (
        "440306",
        ("新安街道", "西乡街道", "航城街道", "福永街道", "沙井街道"),
        ("宝安大道", "新湖路", "创业一路", "前进路", "兴华路"),
    ),
    "龙岗区": (
        "440307",
        ("龙城街道", "布吉街道", "坂田街道", "横岗街道"),
        ("龙翔大道", "布吉路", "坂雪岗大道", "吉华路"),
    ),
    "龙华区": (
        "440309",
        ("民治街道", "龙华街道", "大浪街道"),
        ("民治大道", "人民路", "梅龙大道"),
    ),
}
BUILDING_KINDS = ("大厦", "科技园", "中心", "广场", "产业园", "商务中心", "创意园")
KEXING = {
    "district": "南山区",
    "street": "粤海街道",
    "road": "科苑路",
    "number": "15号",
    "building": "科兴科学园A栋",
}
INDUSTRIES = (
    "科技",
    "信息技术",
    "网络科技",
    "电子商务",
    "贸易",
    "实业",
    "文化传播",
    "餐饮管理",
    "物流",
    "建筑工程",
    "软件",
    "生物科技",
    "新材料",
    "智能装备",
    "教育咨询",
)
ORGANISATION_FORMS = ("有限公司",) * 8 + ("有限责任公司", "股份有限公司")
BLACKLIST_REASONS = (
    "虚假地址，经核查无此场所",
    "住宅用途，不得作为经营场所",
    "违法建筑，已列入拆除计划",
    "该地址已登记企业数量超过上限",
    "军事管理区，不得作为经营场所",
    "经核查为集中登记的空壳地址",
)
_CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def demo_rows(*, seed: int = 2026) -> dict[str, Rows]:
    """Rows for each of the five list kinds, the same for the same seed."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    addresses = _standard_addresses(rng, fake)
    return {
        NAME_WORDS: _name_words(),
        ENTERPRISES: _enterprises(rng, fake),
        STANDARD_ADDRESSES: addresses,
        ADDRESS_BLACKLIST: _blacklist(rng, addresses),
        DISHONEST_PERSONS: _dishonest_persons(rng, fake),
    }


# Local layers on top of the national words, so the layering is visible in the demo: each has
# words that only it lists, and Shenzhen relaxes one national restriction with a legal basis.
GUANGDONG = "440000"
SHENZHEN = "440300"
DEMO_LAYERS: tuple[tuple[str, str, Rows], ...] = (
    (
        NAME_WORDS,
        GUANGDONG,
        [
            {
                "word": "湾区",
                "level": "restricted",
                "reason": "使用“粤港澳大湾区”字样须经省级登记机关核准",
                "legal_basis": "《广东省企业名称登记管理实施办法》第九条",
            },
            {"word": "岭南", "level": "restricted", "reason": "使用地域文化名称须经审核", "legal_basis": ""},
        ],
    ),
    (
        NAME_WORDS,
        SHENZHEN,
        [
            {
                "word": "特区",
                "level": "prohibited",
                "reason": "不得使用“特区”字样作字号",
                "legal_basis": "《深圳经济特区商事登记若干规定》第十二条",
            },
            {"word": "鹏城", "level": "restricted", "reason": "使用城市别称须经审核", "legal_basis": ""},
            {
                "word": "基金",
                "level": "allowed",
                "reason": "前海深港合作区内私募基金管理人登记试点",
                "legal_basis": "《深圳市前海深港现代服务业合作区条例》第二十三条",
            },
        ],
    ),
)


def demo_layers() -> tuple[tuple[str, str, Rows], ...]:
    """(kind, scope, rows) of the demo's local layers, to load after the national lists."""
    return DEMO_LAYERS


def demo_csv(kind: str, rows: Rows) -> str:
    """The rows as the CSV an administrator would import (header first, known columns only)."""
    present = {column for row in rows for column, value in row.items() if value}
    spec = list_kind_get(kind)
    columns = list(spec.required) + [c for c in spec.optional if c in present]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _name_words() -> Rows:
    return [{"word": w, "level": "prohibited", "reason": r} for w, r in PROHIBITED_WORDS] + [
        {"word": w, "level": "restricted", "reason": r} for w, r in RESTRICTED_WORDS
    ]


def credit_code(rng: random.Random, *, area: str = "440300") -> str:
    """A unified social credit code of an enterprise (登记管理部门 9, 类别 1) that passes GB 32100."""
    body = "91" + area + "MA5" + "".join(rng.choice(_CREDIT_CODE_ALPHABET) for _ in range(6))
    return body + uscc.calc_check_digit(body)


def id_number(fake: Faker) -> str:
    """A resident ID number that python-stdnum accepts (Faker's may name a county that did not
    exist in the birth year, which stdnum rightly refuses)."""
    while True:
        candidate = fake.ssn(min_age=22, max_age=70)
        if ric.is_valid(candidate):
            return candidate


def _enterprises(rng: random.Random, fake: Faker, count: int = 400) -> Rows:
    rows: Rows = []
    names: set[str] = set()
    codes: set[str] = set()
    areas = [code for code, _, _ in DISTRICTS.values()]
    while len(rows) < count:
        prefix = fake.company_prefix()
        if "云帆" in prefix:  # keep the contract's example name free to register
            continue
        name = f"深圳市{prefix}{rng.choice(INDUSTRIES)}{rng.choice(ORGANISATION_FORMS)}"
        code = credit_code(rng, area=rng.choice(areas))
        if name in names or code in codes:
            continue
        names.add(name)
        codes.add(code)
        rows.append({"name": name, "credit_code": code})
    return rows


def _standard_addresses(rng: random.Random, fake: Faker, count: int = 300) -> Rows:
    rows: Rows = []
    keys: set[str] = set()
    serials: dict[str, int] = {}

    def add(district: str, street: str, road: str, number: str, building: str) -> None:
        full = f"深圳市{district}{street}{road}{number}{building}"
        key = address_key(full)
        if key in keys:
            return
        keys.add(key)
        area, streets, _ = DISTRICTS[district]
        serial = serials[district] = serials.get(district, 0) + 1
        rows.append(
            {
                "code": f"{area}{streets.index(street) + 1:03d}{serial:06d}",
                "full_address": full,
                "district": district,
                "street": street,
                "road": road,
                "number": number,
                "building": building,
            }
        )

    add(**KEXING)
    for block in "BCD":
        add(**{**KEXING, "building": f"科兴科学园{block}栋"})
    district_names = list(DISTRICTS)
    while len(rows) < count:
        district = rng.choice(district_names)
        _, streets, roads = DISTRICTS[district]
        name = fake.company_prefix()[:4]
        building = f"{name}{rng.choice(BUILDING_KINDS)}"
        if rng.random() < 0.4:
            # Most office parks have blocks; some are written 座, which resolution treats as 栋.
            building += f"{rng.choice('ABCDE')}{rng.choice(('栋', '栋', '座'))}"
        add(district, rng.choice(streets), rng.choice(roads), f"{rng.randint(1, 3999)}号", building)
    return rows


def _blacklist(rng: random.Random, addresses: Rows, count: int = 10) -> Rows:
    candidates = [a for a in addresses if "科兴科学园" not in a["full_address"]]
    rows: Rows = []
    for index, address in enumerate(rng.sample(candidates, count)):
        if index % 2:
            # Half name the address as an applicant would type it, without the city.
            given = address["full_address"].removeprefix("深圳市")
        else:
            given = address["code"]
        rows.append({"address": given, "reason": rng.choice(BLACKLIST_REASONS)})
    return rows


def _dishonest_persons(rng: random.Random, fake: Faker, count: int = 50) -> Rows:
    rows: Rows = []
    district_names = list(DISTRICTS)
    seen: set[str] = set()
    while len(rows) < count:
        number = id_number(fake)
        if number in seen:
            continue
        seen.add(number)
        district = rng.choice(district_names)
        area = DISTRICTS[district][0]
        year = rng.randint(2019, 2025)
        published = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        rows.append(
            {
                "name": fake.name(),
                "id_number": number,
                "court": f"深圳市{district}人民法院",
                "case_number": f"（{year}）粤{area[2:]}执{rng.randint(100, 9999)}号",
                "published_on": published.isoformat(),
            }
        )
    return rows
