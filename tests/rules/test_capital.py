"""The fifth library: registered-capital minimums as a decision table, shipped as a plugin."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import rules
from rules.engine import Ports, check_all, check_library
from rules.lists import CAPITAL_MINIMUMS
from rules.services import ImportFailed, list_import
from tests.rules.conftest import subject

pytestmark = pytest.mark.django_db

SAMPLE = Path(rules.__file__).parent / "data" / "capital_minimums.csv"


@pytest.fixture
def table(db):
    return list_import(kind=CAPITAL_MINIMUMS, text=SAMPLE.read_text(encoding="utf-8"), publish=True)


def capital(**overrides: object):
    return check_library("capital", subject(**overrides), ports=Ports())


def test_the_shipped_table_imports(table) -> None:
    assert table.line() == "capital_minimums: 7 entries, version 1 published"


def test_below_the_minimum_gives_the_rows_outcome_with_its_legal_basis(table) -> None:
    result = capital(business_scope="劳务派遣；人力资源服务", registered_capital=Decimal("1000000"))
    assert result.outcome == "reject"
    [finding] = result.findings
    assert finding.rule == "capital_below_minimum"
    assert finding.evidence["field"] == "business_scope"
    assert finding.evidence["span"] == [0, 4]
    assert finding.evidence["minimum"] == "2000000"
    assert "《中华人民共和国劳动合同法》第五十七条" in finding.message
    assert "200万元" in finding.message
    assert finding.entry.to_dict() == {
        "list": CAPITAL_MINIMUMS,
        "version": 1,
        "line": 2,
        "id": "劳务派遣",
        "scope": "national",
    }


def test_meeting_the_minimum_or_another_industry_passes(table) -> None:
    assert capital(business_scope="劳务派遣", registered_capital=Decimal("2000000")).outcome == "pass"
    assert capital(business_scope="软件开发", registered_capital=Decimal("1")).outcome == "pass"


def test_the_keyword_in_the_name_counts_and_no_capital_counts_as_zero(table) -> None:
    result = capital(company_name="深圳市云帆典当有限公司", business_scope="")
    assert result.outcome == "review"
    assert result.findings[0].evidence["registered_capital"] == "0"


def test_check_all_runs_the_plugin_only_once_its_table_is_published(db) -> None:
    class Valid:
        def verify(self, *, id_number: str, name: str):
            from rules.engine import CitizenVerification

            return CitizenVerification(found=True, name_matches=True, status="valid")

    _, results = check_all(subject(business_scope="劳务派遣"), ports=Ports(citizens=Valid()))
    assert [r.library for r in results] == ["names", "addresses", "identity", "dishonest"]
    list_import(kind=CAPITAL_MINIMUMS, text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    _, results = check_all(subject(business_scope="劳务派遣"), ports=Ports(citizens=Valid()))
    assert [r.library for r in results][-1] == "capital"
    assert results[-1].outcome == "reject"


def test_bad_rows_are_reported_by_line(db) -> None:
    text = "industry,minimum,outcome\n劳务派遣,lots,reject\n典当,300万,maybe\n保险,2亿,review\n"
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=CAPITAL_MINIMUMS, text=text)
    assert [line for line, _ in caught.value.errors] == [2, 3]
    assert "amount" in caught.value.errors[0][1]
    assert "outcome must be one of reject, review" in caught.value.errors[1][1]
