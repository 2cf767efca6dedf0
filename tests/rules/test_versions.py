"""Versions: effective dates, replay as of a moment, golden cases, impact preview, diff,
the version_published signal, and hit counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rules import ports as rules_ports
from rules.engine import PersonFacts, Ports, Subject, check_all, check_library
from rules.lists import DISHONEST_PERSONS, ENTERPRISES, NAME_WORDS
from rules.models import GoldenCase, HitCount, ListVersion, Publication
from rules.selectors import hit_counts, published_version
from rules.services import (
    ImportFailed,
    PublishRefused,
    golden_case_create,
    golden_cases_run,
    impact_preview,
    list_import,
    version_diff,
    version_publish,
)
from rules.signals import version_published
from tests.rules.conftest import subject

pytestmark = pytest.mark.django_db

WORDS_V1 = "word,level,reason\n赌博,prohibited,违背公序良俗\n"
WORDS_V2 = "word,level,reason\n赌博,prohibited,违背公序良俗\n云帆,restricted,测试限制\n"


def names(name: str, **kwargs: object):
    return check_library("names", subject(company_name=name), ports=Ports(), **kwargs)


def test_replay_as_of_a_decision_gives_the_same_findings_after_a_new_version() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    decided = timezone.now()
    first = names("深圳市云帆科技有限公司")
    list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True)

    now = names("深圳市云帆科技有限公司")
    replay = names("深圳市云帆科技有限公司", as_of=decided)
    assert (now.outcome, now.versions["name_words"]) == ("review", 2)
    assert replay.to_dict() == first.to_dict()
    assert replay.versions["name_words"] == 1
    # And before anything was published there was no list at all.
    assert names("深圳市云帆科技有限公司", as_of=decided - datetime.timedelta(days=1)).versions["name_words"] == 0


def test_a_version_published_with_a_future_effective_date_waits_for_it() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True, effective_at=tomorrow, published_by="alice")
    assert names("深圳市云帆科技有限公司").outcome == "pass"
    assert published_version(kind=NAME_WORDS).number == 1
    later = tomorrow + datetime.timedelta(minutes=1)
    assert names("深圳市云帆科技有限公司", as_of=later).outcome == "review"
    assert published_version(kind=NAME_WORDS, as_of=later).number == 2
    assert Publication.objects.filter(kind=NAME_WORDS).count() == 2
    assert ListVersion.objects.get(kind=NAME_WORDS, number=2).published_by == "alice"


def test_rolling_back_is_a_new_publication_and_history_stays_replayable() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True)
    while_v2 = timezone.now()
    version_publish(kind=NAME_WORDS, number=1)
    assert names("深圳市云帆科技有限公司").versions["name_words"] == 1
    assert names("深圳市云帆科技有限公司", as_of=while_v2).versions["name_words"] == 2


def test_publishing_sends_the_signal_from_the_cli_path_and_the_service(django_capture_on_commit_callbacks) -> None:
    received: list[dict] = []

    def listener(sender: object, **kwargs: object) -> None:
        received.append({k: kwargs[k] for k in ("kind", "number", "published_by")})

    version_published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
        with django_capture_on_commit_callbacks(execute=True):
            list_import(kind=NAME_WORDS, text=WORDS_V2)
        with django_capture_on_commit_callbacks(execute=True):
            version_publish(kind=NAME_WORDS, number=2, published_by="deptadmin")
    finally:
        version_published.disconnect(listener)
    assert received == [
        {"kind": NAME_WORDS, "number": 1, "published_by": ""},
        {"kind": NAME_WORDS, "number": 2, "published_by": "deptadmin"},
    ]


def test_golden_cases_refuse_a_publication_that_breaks_them_and_say_why() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    golden_case_create(
        kind=NAME_WORDS,
        title="赌博 is refused",
        document={"company": {"name": "深圳市赌博科技有限公司"}},
        expected_outcome="reject",
        expected_rule="prohibited_word",
    )
    golden_case_create(
        kind=NAME_WORDS,
        title="a clean name passes",
        document={"company": {"name": "深圳市云帆科技有限公司"}},
        expected_outcome="pass",
    )
    assert all(r.passed for r in golden_cases_run(kind=NAME_WORDS))

    list_import(kind=NAME_WORDS, text=WORDS_V2)  # draft 2 would send 云帆 to review
    with pytest.raises(PublishRefused) as refused:
        version_publish(kind=NAME_WORDS, number=2)
    [failure] = refused.value.failures
    assert failure.title == "a clean name passes"
    assert (failure.expected, failure.actual, failure.rules) == ("pass", "review", ("restricted_word",))
    assert "expected pass, got review" in failure.describe()
    assert published_version(kind=NAME_WORDS).number == 1

    # The CLI path (import --publish) refuses too, reporting the failures as line 0.
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True)
    assert caught.value.errors[0][0] == 0
    assert "a clean name passes" in caught.value.errors[0][1]
    assert ListVersion.objects.filter(kind=NAME_WORDS).count() == 2  # nothing stored


def test_golden_cases_keep_no_plaintext_id_number() -> None:
    debtor = "43052519920902865X"
    list_import(
        kind=DISHONEST_PERSONS,
        text=f"name,id_number,court,case_number\n王芳,{debtor},深圳市南山区人民法院,（2024）粤0305执1号\n",
        publish=True,
    )
    case = golden_case_create(
        kind=DISHONEST_PERSONS,
        title="a listed debtor goes to review",
        document={
            "company": {"name": "深圳市云帆科技有限公司"},
            "legal_representative": {"name": "王芳", "id_number": debtor.lower(), "phone": "13800138000"},
        },
        expected_outcome="review",
    )
    stored = str(GoldenCase.objects.get(pk=case.pk).document)
    assert debtor not in stored and debtor.lower() not in stored and "13800138000" not in stored
    assert "430525********865X" in stored
    assert [r.passed for r in golden_cases_run(kind=DISHONEST_PERSONS)] == [True]
    # Removing the debtor in a new version breaks the case: the publication is refused.
    list_import(kind=DISHONEST_PERSONS, text="name,id_number,court,case_number\n")
    with pytest.raises(PublishRefused):
        version_publish(kind=DISHONEST_PERSONS, number=2)


def test_the_impact_preview_lists_every_outcome_that_would_change() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    recent = [
        ("OW-1", subject(company_name="深圳市云帆科技有限公司"), "approve"),
        ("OW-2", subject(company_name="深圳市星河贸易有限公司"), "approve"),
        ("OW-3", subject(company_name="深圳市赌博科技有限公司"), "reject"),
    ]
    rules_ports.register_recent_subjects(lambda limit: recent[:limit])
    try:
        list_import(kind=NAME_WORDS, text=WORDS_V2)
        report = impact_preview(kind=NAME_WORDS, number=2, limit=50)
    finally:
        rules_ports.register_recent_subjects(None)
    assert report.examined == 3
    [change] = report.changes
    assert (change.reference, change.library, change.before, change.after) == ("OW-1", "names", "pass", "review")
    assert change.rules_after == ("restricted_word",)
    assert change.recorded == "approve"


def test_without_a_registered_source_the_preview_examines_nothing() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1)
    assert impact_preview(kind=NAME_WORDS, number=1).examined == 0


def test_version_diff_shows_added_removed_and_changed_entries() -> None:
    list_import(kind=NAME_WORDS, text="word,level,reason\n赌博,prohibited,a\n国际,restricted,b\n银行,restricted,c\n")
    list_import(kind=NAME_WORDS, text="word,level,reason\n赌博,prohibited,a\n国际,prohibited,b\n保险,restricted,d\n")
    diff = version_diff(kind=NAME_WORDS, old=1, new=2)
    assert (diff.added, diff.removed, diff.changed, diff.unchanged) == (1, 1, 1, 1)
    changes = {(r.change, r.identity) for r in diff.rows}
    assert changes == {("added", "保险"), ("removed", "银行"), ("changed", "国际")}


def test_dishonest_diff_never_shows_a_blind_index_or_an_id_number() -> None:
    debtor = "43052519920902865X"
    list_import(
        kind=DISHONEST_PERSONS,
        text=f"name,id_number,court,case_number\n王芳,{debtor},深圳市南山区人民法院,（2024）粤0305执1号\n",
    )
    list_import(kind=DISHONEST_PERSONS, text="name,id_number,court,case_number\n")
    diff = version_diff(kind=DISHONEST_PERSONS, old=1, new=2)
    [row] = diff.rows
    assert row.change == "removed"
    assert "（2024）粤0305执1号" in row.identity and "430525********865X" in row.identity
    assert debtor not in str(diff)


def test_hits_are_counted_per_entry_and_day_only_when_asked() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True)
    names("深圳市云帆科技有限公司")  # a dry run stores nothing
    assert HitCount.objects.count() == 0
    for _ in range(3):
        names("深圳市云帆科技有限公司", record_hits=True)
    names("深圳市赌博科技有限公司", record_hits=True)
    assert hit_counts(list_kind=NAME_WORDS, entries=["云帆", "赌博", "国际"]) == {"云帆": 3, "赌博": 1}
    row = HitCount.objects.get(entry="云帆")
    assert (row.library, row.rule, row.day, row.count) == ("names", "restricted_word", timezone.localdate(), 3)


def test_check_all_passes_record_hits_and_as_of_through() -> None:
    list_import(kind=NAME_WORDS, text=WORDS_V1, publish=True)
    moment = timezone.now()
    list_import(kind=NAME_WORDS, text=WORDS_V2, publish=True)

    class Valid:
        def verify(self, *, id_number: str, name: str):
            from rules.engine import CitizenVerification

            return CitizenVerification(found=True, name_matches=True, status="valid")

    doc = Subject(
        company_name="深圳市云帆科技有限公司",
        address="",
        persons=(PersonFacts(role="legal_representative", name="张伟", id_number="11010519491231002X"),),
    )
    outcome, results = check_all(doc, ports=Ports(citizens=Valid()), as_of=moment, record_hits=True)
    assert results[0].versions["name_words"] == 1
    assert results[0].outcome == "pass"
    assert outcome == "reject"  # no address
    assert HitCount.objects.filter(library="addresses", rule="address_missing").exists()


def test_enterprises_list_versions_are_recorded(import_rows) -> None:
    list_import(kind=ENTERPRISES, text="name,credit_code\n", publish=True)
    assert names("深圳市云帆科技有限公司").versions == {"name_words": 0, "enterprises": 1}
