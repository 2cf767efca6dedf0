from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.normalize import normalize_text, normalize_with_map

# Characters evaders slip between the characters of a word: spaces (ASCII, ideographic,
# zero-width), ASCII and CJK punctuation, and symbols.
SEPARATORS = [
    " ",
    "\t",
    "\u3000",
    "\u200b",
    "·",
    "•",
    "-",
    "_",
    "*",
    ".",
    "。",
    "，",
    "、",
    "！",
    "／",
    "＊",
    "【",
    "】",
    "~",
    "|",
    "☆",
]

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
MIXED = st.text(alphabet=st.one_of(CJK, st.sampled_from(string.ascii_letters + string.digits)), max_size=30)


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(st.text(max_size=40))
def test_normalization_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(st.text(max_size=40))
def test_position_map_points_at_the_original_characters(text: str) -> None:
    normalized = normalize_with_map(text)
    assert normalized.text == normalize_text(text)
    assert len(normalized.positions) == len(normalized.text)
    assert list(normalized.positions) == sorted(normalized.positions)
    # Each original character produces exactly the output characters mapped back to it.
    for index, ch in enumerate(text):
        produced = "".join(c for c, p in zip(normalized.text, normalized.positions, strict=True) if p == index)
        assert produced == normalize_text(ch)


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(MIXED, st.data())
def test_separators_between_characters_do_not_change_the_result(text: str, data: st.DataObject) -> None:
    pieces = []
    for ch in text:
        pieces.append(ch)
        pieces.append(data.draw(st.text(alphabet=st.sampled_from(SEPARATORS), max_size=3)))
    assert normalize_text("".join(pieces)) == normalize_text(text)


@pytest.mark.parametrize("separator", SEPARATORS)
def test_separators_vanish(separator: str) -> None:
    assert normalize_text(separator) == ""


@settings(deadline=None)  # CI machines also run Celery workers; time is not the property
@given(st.text(alphabet=st.sampled_from(string.ascii_letters + string.digits), min_size=1, max_size=20))
def test_full_width_becomes_half_width(text: str) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in text)
    assert normalize_text(full_width) == text.casefold()


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("賭博", "赌博"),
        ("國際貿易", "国际贸易"),
        ("深圳市雲帆科技有限公司", "深圳市云帆科技有限公司"),
        ("臺灣", "台湾"),
    ],
)
def test_traditional_becomes_simplified(traditional: str, simplified: str) -> None:
    assert normalize_text(traditional) == simplified


def test_span_of_an_evasive_word_covers_the_inserted_characters() -> None:
    name = "深圳市 賭　博 科技有限公司"
    normalized = normalize_with_map(name)
    start = normalized.text.index("赌博")
    span = normalized.original_span(start, start + 2)
    assert span == (4, 7)
    assert name[span[0] : span[1]] == "賭　博"


def test_kept_characters_survive() -> None:
    assert normalize_text("科苑路15-3号", keep="-") == "科苑路15-3号"
    assert normalize_text("科苑路15－3号", keep="-") == "科苑路15-3号"  # full-width hyphen
    assert normalize_text("科苑路15-3号") == "科苑路153号"


def test_original_span_rejects_spans_outside_the_text() -> None:
    with pytest.raises(ValueError):
        normalize_with_map("ab").original_span(1, 5)
