from __future__ import annotations

import pytest
from stdnum.cn import ric, uscc

from rules.demo import demo_csv, demo_rows
from rules.lists import ADDRESS_BLACKLIST, DISHONEST_PERSONS, ENTERPRISES, NAME_WORDS, STANDARD_ADDRESSES


def test_demo_rows_are_deterministic_for_a_seed(demo) -> None:
    assert demo_rows() == demo
    assert demo_rows(seed=1) != demo


def test_demo_rows_are_realistic_and_valid(demo) -> None:
    assert len(demo[NAME_WORDS]) == 42
    assert {row["level"] for row in demo[NAME_WORDS]} == {"prohibited", "restricted"}
    assert len(demo[ENTERPRISES]) == 400
    assert all(uscc.is_valid(row["credit_code"]) for row in demo[ENTERPRISES])
    assert len(demo[STANDARD_ADDRESSES]) == 300
    assert "深圳市南山区粤海街道科苑路15号科兴科学园A栋" in {row["full_address"] for row in demo[STANDARD_ADDRESSES]}
    assert len(demo[ADDRESS_BLACKLIST]) == 10
    assert len(demo[DISHONEST_PERSONS]) == 50
    assert all(ric.is_valid(row["id_number"]) for row in demo[DISHONEST_PERSONS])


@pytest.mark.django_db
def test_every_demo_list_imports_cleanly(demo_loaded) -> None:
    from rules.models import ListVersion

    assert sorted(ListVersion.objects.filter(status="published").values_list("kind", "entry_count")) == sorted(
        (kind, len(rows)) for kind, rows in demo_loaded.items()
    )


def test_demo_csv_has_the_contract_columns(demo) -> None:
    assert demo_csv(NAME_WORDS, demo[NAME_WORDS]).splitlines()[0] == "word,level,reason"
    header = demo_csv(STANDARD_ADDRESSES, demo[STANDARD_ADDRESSES]).splitlines()[0]
    assert header == "code,full_address,district,street,road,number,building"
    assert demo_csv(DISHONEST_PERSONS, demo[DISHONEST_PERSONS]).splitlines()[0] == (
        "name,id_number,court,case_number,published_on"
    )


@pytest.mark.django_db
def test_the_demo_layers_make_the_layering_visible(demo_loaded) -> None:
    from rules.demo import demo_layers
    from rules.engine import Ports, Subject, check_library
    from rules.services import list_import

    for kind, scope, rows in demo_layers():
        list_import(kind=kind, text=demo_csv(kind, rows), publish=True, scope=scope)

    def outcome(name: str, address: str) -> tuple[str, list[str]]:
        result = check_library("names", Subject(company_name=name, address=address), ports=Ports())
        return result.outcome, [f"{f.rule}@{f.entry.scope}" for f in result.findings if f.entry]

    shenzhen = "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"
    # Guangdong's word reaches Shenzhen; a Beijing name is not checked against it.
    assert outcome("深圳市湾区科技有限公司", shenzhen) == ("review", ["restricted_word@440000"])
    assert outcome("北京市湾区科技有限公司", "北京市朝阳区建国路87号")[0] == "pass"
    # Shenzhen's own words, and its relaxation of a national restriction (with a legal basis).
    assert outcome("深圳市特区科技有限公司", shenzhen) == ("reject", ["prohibited_word@440300"])
    assert outcome("深圳市基金科技有限公司", shenzhen) == ("pass", ["word_allowed_locally@440300"])
    assert outcome("北京市基金科技有限公司", "北京市朝阳区建国路87号")[0] == "review"
