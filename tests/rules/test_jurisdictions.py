"""Jurisdiction layers: a national baseline, local rules on top (issue: one national baseline)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rules import engine
from rules.engine import Ports, Subject, check_library
from rules.jurisdictions import ScopeInvalid, authorities_overlap, scope_chain, scope_validate
from rules.lists import CAPITAL_MINIMUMS, NAME_WORDS, STANDARD_ADDRESSES
from rules.models import ListVersion
from rules.services import (
    ImportFailed,
    PublishRefused,
    golden_case_create,
    impact_preview,
    list_import,
    version_publish,
)

pytestmark = pytest.mark.django_db

SHENZHEN_ADDRESS = "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"
NATIONAL_WORDS = "word,level,reason,legal_basis\n赌博,prohibited,违背公序良俗,\n银行,restricted,金融机构专用,\n"
BASIS = "《广东省企业名称登记管理办法》第五条"


def words(text: str, *, scope: str = "national", publish: bool = True):
    return list_import(kind=NAME_WORDS, text=text, scope=scope, publish=publish, source="test")


@pytest.fixture
def standard_addresses() -> None:
    list_import(
        kind=STANDARD_ADDRESSES,
        text=(
            "code,full_address\n"
            "SZ-NS-1,深圳市南山区粤海街道科苑路15号科兴科学园A栋\n"
            "GZ-TH-1,广州市天河区天河路385号太古汇\n"
            "BJ-CY-1,北京市朝阳区建国路87号\n"
        ),
        publish=True,
        source="test",
    )


def names(name: str, address: str = SHENZHEN_ADDRESS, **extra: object):
    return check_library("names", Subject(company_name=name, address=address, **extra), ports=Ports())


def rules_of(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_scopes_are_national_or_a_region_in_use() -> None:
    assert scope_validate("") == "national"
    assert scope_validate("440300") == "440300"
    assert scope_chain("440305") == ("national", "440000", "440300", "440305")
    assert scope_chain("110105") == ("national", "110000", "110105")  # a municipality's district
    assert scope_chain("") == ("national",)
    for bad in ("440", "guangdong", "999999"):
        with pytest.raises(ScopeInvalid):
            scope_validate(bad)
    assert authorities_overlap("440300", "440305") and not authorities_overlap("440304", "440305")
    assert authorities_overlap("", "110105")  # unknown never lets a duplicate through


def test_the_authority_comes_from_the_standard_address_then_from_the_name(standard_addresses) -> None:
    by_address = engine.jurisdiction_of(Subject(company_name="云帆科技有限公司", address=SHENZHEN_ADDRESS))
    assert (by_address.authority, by_address.source) == ("440305", "address")
    assert by_address.scopes == ("national", "440000", "440300", "440305")
    by_name = engine.jurisdiction_of(Subject(company_name="北京市云帆科技有限公司", address="火星基地1号"))
    assert (by_name.authority, by_name.source) == ("110000", "name")
    nowhere = engine.jurisdiction_of(Subject(company_name="云帆科技有限公司", address="火星基地1号"))
    assert nowhere.scopes == ("national",)


def test_a_word_restricted_only_in_guangdong_sends_shenzhen_to_review_but_not_beijing(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    words(f"word,level,reason,legal_basis\n湾区,restricted,粤港澳大湾区名称须经批准,{BASIS}\n", scope="440000")

    shenzhen = names("深圳市湾区科技有限公司")
    assert shenzhen.outcome == "review"
    [finding] = shenzhen.findings
    assert finding.rule == "restricted_word"
    assert finding.entry.scope == "440000" and finding.entry.version == 1
    assert finding.evidence["scope"] == "440000"
    # The versions record names every layer used, the national one under its plain name.
    assert shenzhen.versions == {"name_words": 1, "name_words@440000": 1, "enterprises": 0}
    assert finding.versions == shenzhen.versions
    assert shenzhen.jurisdiction.authority == "440305"

    beijing = names("北京市湾区科技有限公司", address="北京市朝阳区建国路87号")
    assert beijing.outcome == "pass"
    assert beijing.versions == {"name_words": 1, "enterprises": 0}


def test_a_local_layer_tightens_a_national_word(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    words("word,level,reason\n银行,prohibited,深圳市不得使用\n", scope="440300")
    shenzhen = names("深圳市银行科技有限公司")
    assert shenzhen.outcome == "reject"
    assert [(f.rule, f.entry.scope) for f in shenzhen.findings] == [("prohibited_word", "440300")]
    guangzhou = names("广州市银行科技有限公司", address="广州市天河区天河路385号太古汇")
    assert [(f.rule, f.entry.scope) for f in guangzhou.findings] == [("restricted_word", "national")]


def test_relaxing_a_national_word_needs_a_recorded_legal_basis(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    with pytest.raises(ImportFailed) as refused:
        words("word,level,reason,legal_basis\n银行,allowed,本地可用,\n", scope="440000")
    [(line, reason)] = refused.value.errors
    assert line == 2 and "without a legal_basis" in reason
    assert not ListVersion.objects.filter(scope="440000").exists()

    words(f"word,level,reason,legal_basis\n银行,allowed,广东省准予使用,{BASIS}\n", scope="440000")
    relaxed = names("深圳市银行科技有限公司")
    assert relaxed.outcome == "pass"
    [finding] = relaxed.findings
    assert finding.rule == "word_allowed_locally" and finding.outcome == "pass"
    assert finding.evidence["relaxes"]["scope"] == "national" and finding.evidence["relaxes"]["level"] == "restricted"
    assert BASIS in finding.message
    # The relaxation is recorded with the entry, for the admin to show.
    entry = ListVersion.objects.get(scope="440000").entries.get()
    assert entry.data["relaxes"] == {"scope": "national", "version": 1, "was": "restricted"}


def test_a_relaxed_prohibited_word_is_reviewed_instead(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    words(f"word,level,reason,legal_basis\n赌博,restricted,历史字号,{BASIS}\n", scope="440300")
    result = names("深圳市赌博科技有限公司")
    assert rules_of(result) == ["restricted_word"]
    assert result.findings[0].evidence["relaxes"]["level"] == "prohibited"
    assert names("北京市赌博科技有限公司", address="北京市朝阳区建国路87号").outcome == "reject"


def test_allowed_is_for_local_layers_only_and_an_unscoped_file_loads_nationally() -> None:
    with pytest.raises(ImportFailed, match="local layers only"):
        words(f"word,level,reason,legal_basis\n银行,allowed,x,{BASIS}\n")
    summary = words(NATIONAL_WORDS)
    assert summary.scope == "national" and summary.line() == "name_words: 2 entries, version 1 published"
    assert ListVersion.objects.get().scope == "national"


def test_bad_scope_is_refused_by_the_import() -> None:
    with pytest.raises(ImportFailed, match="neither 'national' nor"):
        words(NATIONAL_WORDS, scope="guangdong")


def test_versions_are_numbered_and_published_per_scope(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    words("word,level,reason\n湾区,restricted,x\n", scope="440000")
    words("word,level,reason\n湾区,prohibited,x\n", scope="440000", publish=False)
    assert ListVersion.objects.get(kind=NAME_WORDS, scope="national").number == 1
    assert list(
        ListVersion.objects.filter(kind=NAME_WORDS, scope="440000").order_by("number").values_list("status", flat=True)
    ) == ["published", "draft"]
    version_publish(kind=NAME_WORDS, number=2, scope="440000")
    assert names("深圳市湾区科技有限公司").outcome == "reject"
    # The national layer is untouched by the province's publication.
    assert ListVersion.objects.get(kind=NAME_WORDS, scope="national").status == "published"


def test_an_as_of_replay_uses_each_layer_as_it_was(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    before = timezone.now()
    later = before + datetime.timedelta(hours=1)
    words("word,level,reason\n湾区,restricted,x\n", scope="440000")
    version_publish(kind=NAME_WORDS, number=1, scope="440000", effective_at=later)  # republish, in the future
    subject = Subject(company_name="深圳市湾区科技有限公司", address=SHENZHEN_ADDRESS)
    assert check_library("names", subject, ports=Ports(), as_of=before).outcome == "pass"
    assert check_library("names", subject, ports=Ports(), as_of=later).outcome == "review"


def test_golden_cases_guard_the_layer_they_belong_to(standard_addresses) -> None:
    words(NATIONAL_WORDS)
    words("word,level,reason\n湾区,restricted,x\n", scope="440000")
    golden_case_create(
        kind=NAME_WORDS,
        scope="440000",
        title="湾区 needs review in Guangdong",
        document={"company": {"name": "湾区科技有限公司"}},  # no region, no address: placed at 440000
        expected_outcome="review",
    )
    words("word,level,reason\n其他,restricted,x\n", scope="440000", publish=False)
    with pytest.raises(PublishRefused):
        version_publish(kind=NAME_WORDS, number=2, scope="440000")
    # A national draft does not reach the case's Guangdong word, so the case still passes.
    words(NATIONAL_WORDS + "其他,restricted,x\n", publish=False)
    version_publish(kind=NAME_WORDS, number=2)


def test_impact_preview_examines_only_applications_in_the_scope(standard_addresses) -> None:
    from rules import ports

    recent = [
        ("SZ-1", Subject(company_name="深圳市湾区科技有限公司", address=SHENZHEN_ADDRESS), "approve"),
        ("BJ-1", Subject(company_name="北京市湾区科技有限公司", address="北京市朝阳区建国路87号"), "approve"),
    ]
    previous = ports._recent_subjects
    ports.register_recent_subjects(lambda limit: recent[:limit])
    try:
        words(NATIONAL_WORDS)
        words("word,level,reason\n湾区,restricted,x\n", scope="440000", publish=False)
        report = impact_preview(kind=NAME_WORDS, number=1, scope="440000", limit=10)
    finally:
        ports.register_recent_subjects(previous)
    assert report.examined == 1
    assert [(c.reference, c.before, c.after) for c in report.changes] == [("SZ-1", "pass", "review")]


def test_a_local_capital_minimum_tightens_and_relaxes_only_with_a_basis() -> None:
    national = "industry,minimum,outcome,reason,legal_basis\n劳务派遣,200万,reject,x,《劳动合同法》第五十七条\n"
    list_import(kind=CAPITAL_MINIMUMS, text=national, publish=True)
    with pytest.raises(ImportFailed, match="without a legal_basis"):
        list_import(kind=CAPITAL_MINIMUMS, text="industry,minimum,outcome\n劳务派遣,100万,reject\n", scope="440300")
    list_import(
        kind=CAPITAL_MINIMUMS, text="industry,minimum,outcome\n劳务派遣,500万,reject\n", scope="440300", publish=True
    )
    subject = Subject(
        company_name="深圳市劳务派遣有限公司", address="", registered_capital=3_000_000, authority="440305"
    )
    result = check_library("capital", subject, ports=Ports())
    assert result.outcome == "reject"
    assert result.findings[0].entry.scope == "440300"
    elsewhere = check_library("capital", Subject(**{**subject.__dict__, "authority": "110105"}), ports=Ports())
    assert elsewhere.outcome == "pass"
