from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from rules import engine
from rules.engine import (
    CheckResult,
    Evaluation,
    Hit,
    LibraryKind,
    Ports,
    Subject,
    check_all,
    check_library,
    combine_outcomes,
    library_codes,
    register,
)
from rules.lists import NAME_WORDS
from rules.services import list_import, version_publish
from tests.rules.conftest import subject


def test_libraries_are_registered_in_order() -> None:
    assert library_codes(include_inactive=True) == ["names", "addresses", "identity", "dishonest", "capital"]


@pytest.mark.django_db
def test_the_capital_table_is_active_only_once_published() -> None:
    assert library_codes() == ["names", "addresses", "identity", "dishonest"]
    list_import(kind="capital_minimums", text="industry,minimum,outcome\n劳务派遣,200万,reject\n", publish=True)
    assert library_codes() == ["names", "addresses", "identity", "dishonest", "capital"]


@pytest.mark.parametrize(
    ("outcomes", "decision"),
    [
        ([], "approve"),
        (["pass", "pass"], "approve"),
        (["pass", "review"], "review"),
        (["review", "reject", "pass"], "reject"),
        (["reject"], "reject"),
    ],
)
def test_combine_outcomes(outcomes: list[str], decision: str) -> None:
    assert combine_outcomes(outcomes) == decision


def test_combine_outcomes_refuses_unknown_values() -> None:
    with pytest.raises(ValueError):
        combine_outcomes(["maybe"])


def test_engine_does_not_import_the_platform() -> None:
    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots = {name.split(".")[0] for name in imported}
    assert not roots & {"intake", "workflow", "exchange", "django", "departments"}


@pytest.fixture
def toy_kind():
    """A kind registered only for one test: the engine must work with any kind."""

    @register("toy")
    class Toy(LibraryKind):
        def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
            hits = tuple(
                Hit(rule=f"word_{w}", outcome="review" if w == "maybe" else "reject", message=w, message_en=w)
                for w in subject.business_scope.split()
            )
            return Evaluation(hits=hits, versions={"toy_list": 7})

    yield Toy
    engine.libraries.unregister("toy")
    engine._instances.pop("toy", None)


def test_a_check_is_as_bad_as_its_worst_finding(toy_kind) -> None:
    clean = check_library("toy", subject(business_scope=""), ports=Ports())
    assert (clean.outcome, clean.findings, clean.versions) == ("pass", (), {"toy_list": 7})
    review = check_library("toy", subject(business_scope="maybe"), ports=Ports())
    assert review.outcome == "review"
    mixed = check_library("toy", subject(business_scope="maybe no"), ports=Ports())
    assert mixed.outcome == "reject"
    assert [f.rule for f in mixed.findings] == ["word_maybe", "word_no"]
    assert all(f.library == "toy" and f.versions == {"toy_list": 7} for f in mixed.findings)


def test_unknown_library_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown rule library 'nope'"):
        check_library("nope", subject(), ports=Ports())


def test_registering_another_class_under_a_taken_code_fails() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @register("names")
        class Impostor(LibraryKind):
            def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
                return Evaluation(hits=(), versions={})


def test_to_dict_shapes(toy_kind) -> None:
    result = check_library("toy", subject(business_scope="no"), ports=Ports())
    assert isinstance(result, CheckResult)
    data = result.to_dict()
    assert set(data) == {"library", "outcome", "versions", "jurisdiction", "findings"}
    assert data["jurisdiction"] == {"authority": "", "source": "", "scopes": ["national"]}
    assert data["findings"] == [
        {
            "library": "toy",
            "versions": {"toy_list": 7},
            "rule": "word_no",
            "outcome": "reject",
            "message": "no",
            "message_en": "no",
            "evidence": {},
            "entry": None,
        }
    ]


def test_subject_from_the_contract_document() -> None:
    doc = {
        "company": {
            "name": "深圳市云帆科技有限公司",
            "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            "business_scope": "软件开发；信息技术咨询服务",
            "registered_capital": "1000000.00",
            "employees": 5,
        },
        "legal_representative": {"name": "张伟", "id_number": "11010519491231002X", "phone": "13800138000"},
        "shareholders": [
            {"name": "张伟", "id_number": "11010519491231002X", "contribution": "600000.00"},
            {"name": "李娜", "id_number": "320000197902240166", "contribution": "400000.00"},
        ],
        "departments": ["market_regulation"],
    }
    subject = Subject.from_document(doc)
    assert subject.registered_capital == Decimal("1000000.00")
    assert subject.employees == 5
    assert [(p.role, p.name) for p in subject.persons] == [
        ("legal_representative", "张伟"),
        ("handler", "张伟"),
        ("shareholder", "张伟"),
        ("shareholder", "李娜"),
    ]
    assert subject.persons_in_role("handler")[0].phone == "13800138000"
    assert "11010519491231002X" not in repr(subject)
    explicit = Subject.from_document({**doc, "handler": {"name": "王芳", "id_number": "43052519920902865X"}})
    assert explicit.persons_in_role("handler")[0].name == "王芳"
    with pytest.raises(ValueError, match="registered_capital"):
        Subject.from_document({**doc, "company": {**doc["company"], "registered_capital": "lots"}})


@pytest.mark.django_db
def test_a_newly_published_version_takes_effect_without_a_restart() -> None:
    names = engine._instance("names")
    name = subject(company_name="深圳市云帆科技有限公司")
    list_import(kind=NAME_WORDS, text="word,level,reason\n赌博,prohibited,违背公序良俗\n", publish=True)
    first = check_library("names", name, ports=Ports())
    assert first.outcome == "pass"
    assert first.versions["name_words"] == 1

    # Checking again with nothing published in between reuses the cached automaton.
    builds = names.lists.builds
    check_library("names", name, ports=Ports())
    assert names.lists.builds == builds

    # A draft changes nothing; publishing it does, in this same process.
    list_import(kind=NAME_WORDS, text="word,level,reason\n云帆,restricted,测试用限制字词\n")
    assert check_library("names", name, ports=Ports()).outcome == "pass"
    version_publish(kind=NAME_WORDS, number=2)
    second = check_library("names", name, ports=Ports())
    assert second.outcome == "review"
    assert second.versions["name_words"] == 2
    assert second.findings[0].versions["name_words"] == 2
    assert names.lists.builds == builds + 1

    # Rolling back to version 1 takes effect just as fast.
    version_publish(kind=NAME_WORDS, number=1)
    assert check_library("names", name, ports=Ports()).outcome == "pass"


@pytest.mark.django_db
def test_check_all_runs_every_library_in_order(demo_loaded) -> None:
    class Valid:
        def verify(self, *, id_number: str, name: str) -> engine.CitizenVerification:
            return engine.CitizenVerification(found=True, name_matches=True, status="valid")

    doc_subject = Subject.from_document(
        {
            "company": {"name": "深圳市云帆科技有限公司", "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"},
            "legal_representative": {"name": "张伟", "id_number": "11010519491231002X", "phone": "13800138000"},
        }
    )
    outcome, results = check_all(doc_subject, ports=Ports(citizens=Valid()))
    assert outcome == "approve"
    assert [r.library for r in results] == ["names", "addresses", "identity", "dishonest"]

    bad_subject = Subject.from_document(
        {"company": {"name": "深圳市赌博科技有限公司", "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"}}
    )
    outcome, results = check_all(bad_subject, ports=Ports(citizens=Valid()))
    assert outcome == "reject"
    assert [r.outcome for r in results] == ["reject", "pass", "pass", "pass"]
