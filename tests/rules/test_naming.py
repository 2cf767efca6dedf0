"""The structure of enterprise names, the region table, pinyin keys; property tests for each
normalization step the names library relies on."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.naming import name_keys, parse_name, pinyin_of, pinyin_symbols, trade_name_variants
from rules.normalize import normalize_text
from rules.regions import COUNTY, PREFECTURE, PROVINCE, region_table

TRADITIONAL = {
    "雲": "云",
    "帆": "帆",
    "賭": "赌",
    "華": "华",
    "東": "东",
    "國": "国",
    "際": "际",
    "網": "网",
    "絡": "络",
}
TRADE_NAMES = st.sampled_from(["云帆", "腾云", "星河", "海纳百川", "青松", "博远", "鑫源"])
INDUSTRIES = st.sampled_from(["科技", "贸易", "网络科技", "餐饮管理", "文化传播", "物流"])
FORMS = st.sampled_from(["有限公司", "有限责任公司", "股份有限公司"])
REGIONS = st.sampled_from(["", "深圳市", "广东省深圳市", "深圳市南山区", "北京市朝阳区", "昆山市", "深圳"])


# --- Normalization steps, one property each ------------------------------------------------


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=20))
def test_case_folding(text: str) -> None:
    assert normalize_text(text.upper()) == normalize_text(text.lower()) == text.lower()


@given(st.lists(st.sampled_from(sorted(TRADITIONAL)), min_size=1, max_size=12))
def test_traditional_to_simplified_character_by_character(chars: list[str]) -> None:
    assert normalize_text("".join(chars)) == "".join(TRADITIONAL[c] for c in chars)


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=20))
def test_full_width_to_half_width(text: str) -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in text)
    assert normalize_text(full) == text.lower()


@given(TRADE_NAMES, st.lists(st.sampled_from([" ", "\u3000", "·", "-", "*", "。", "★", "\t"]), min_size=1))
def test_whitespace_punctuation_and_symbols_between_characters_vanish(word: str, separators: list[str]) -> None:
    spaced = "".join(c + separators[i % len(separators)] for i, c in enumerate(word))
    assert normalize_text(spaced) == word


# --- Structure -------------------------------------------------------------------------------


@given(REGIONS, TRADE_NAMES, INDUSTRIES, FORMS)
def test_well_formed_names_parse_into_their_four_parts(region: str, trade: str, industry: str, form: str) -> None:
    parts = parse_name(region + trade + industry + form)
    assert (parts.region, parts.trade_name, parts.industry, parts.form) == (region, trade, industry, form)
    assert parts.problems == ()
    assert parts.core == trade + industry


@given(TRADE_NAMES, INDUSTRIES, FORMS)
def test_region_and_form_do_not_change_the_core(trade: str, industry: str, form: str) -> None:
    assert name_keys(f"深圳市{trade}{industry}{form}").core == name_keys(f"{trade}{industry}有限公司").core


@pytest.mark.parametrize(
    ("name", "rule", "text"),
    [
        ("深圳市帆科技有限公司", "trade_name_too_short", "帆"),
        ("深圳市ABC科技有限公司", "trade_name_too_short", "ABC"),
        ("火星市云帆科技有限公司", "unknown_region", "火星市"),
        ("深圳市火星区云帆科技有限公司", "unknown_region", "火星区"),
        ("南山区云帆科技有限公司", "district_without_city", "南山区"),
        ("深圳市朝阳区云帆科技有限公司", "district_without_city", "朝阳区"),
        ("深圳市云帆科技", "organisation_form", None),
    ],
)
def test_structure_problems_point_at_the_original_text(name: str, rule: str, text: str | None) -> None:
    parts = parse_name(name)
    [problem] = parts.problems
    assert problem.rule == rule
    if text is not None:
        assert problem.span is not None
        assert name[problem.span[0] : problem.span[1]] == text


@pytest.mark.parametrize(
    "name",
    [
        "北京市朝阳区云帆科技有限公司",  # a municipality's district
        "广东省深圳市南山区云帆科技有限公司",
        "昆山市云帆科技有限公司",  # a county-level city may stand alone
        "云帆（深圳）科技有限公司",  # region in brackets after the trade name
        "深圳市好又多超市有限公司",  # 超市 is a trade, not a city
        "深圳市华南区块链科技有限公司",  # 区块链 is not a district
        "深圳云帆创业投资合伙企业（有限合伙）",
        "深圳市雲帆科技有限公司",
    ],
)
def test_legitimate_structures_raise_no_problem(name: str) -> None:
    assert parse_name(name).problems == ()


def test_the_region_table_is_the_real_one() -> None:
    table = region_table()
    assert [r.level for r in table.lookup("广东省")] == [PROVINCE]
    assert [r.code for r in table.lookup("深圳市")] == ["440300"]
    assert table.lookup("深圳")[0].level == PREFECTURE
    assert {r.code for r in table.lookup("南山区")} == {"440305", "230404"}  # Shenzhen and Hegang
    assert table.lookup("光明区")[0].level == COUNTY
    assert not table.is_region("火星市")
    assert not table.is_region("宣武区")  # merged into Beijing's 西城区 in 2010: history, not a region


def test_pinyin_keys_make_homophones_equal() -> None:
    assert pinyin_of("云帆") == pinyin_of("芸帆") == "yun-fan"
    assert pinyin_symbols("赌博") == pinyin_symbols("堵搏")
    assert len(pinyin_symbols("深圳abc")) == 5
    assert name_keys("深圳市芸帆科技有限公司").pinyin == name_keys("深圳市云帆科技有限公司").pinyin


def test_trade_name_variants_are_one_slip_away() -> None:
    variants = trade_name_variants("云帆达")
    assert {"帆云达", "云达帆", "云帆", "帆达", "云达"} <= set(variants)
    assert "己知" in trade_name_variants("已知")  # look-alike characters
    assert "云帆达" not in variants
