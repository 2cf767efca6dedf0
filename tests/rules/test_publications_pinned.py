"""A pinned snapshot of the publication log answers every publication read as the log itself
would, in one query (what a check stage of several libraries reads)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rules import selectors
from rules.authority import standard_address_versions
from rules.engine import Ports, Subject, check_library
from rules.lists import CAPITAL_MINIMUMS, NAME_WORDS, STANDARD_ADDRESSES
from rules.selectors import publications_pinned
from rules.services import list_import, version_publish

pytestmark = pytest.mark.django_db

SHENZHEN_ADDRESS = "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201"
KINDS = (NAME_WORDS, STANDARD_ADDRESSES, CAPITAL_MINIMUMS)
SCOPES = ("national", "440000", "440300", "110000")


def _import(kind: str, text: str, *, scope: str = "national", effective_at: datetime.datetime | None = None):
    return list_import(kind=kind, text=text, scope=scope, publish=True, source="test", effective_at=effective_at)


@pytest.fixture
def log() -> None:
    """National and local layers, a republished older version, and a publication due later."""
    _import(NAME_WORDS, "word,level,reason\n赌博,prohibited,x\n")
    _import(NAME_WORDS, "word,level,reason\n赌博,prohibited,x\n银行,restricted,y\n")
    version_publish(kind=NAME_WORDS, number=1)  # a rollback: a new publication of version 1
    _import(NAME_WORDS, "word,level,reason\n湾区,restricted,x\n", scope="440000")
    _import(STANDARD_ADDRESSES, "code,full_address\nSZ-NS-1,深圳市南山区粤海街道科苑路15号科兴科学园A栋\n")
    _import(
        STANDARD_ADDRESSES,
        "code,full_address\nBJ-CY-1,北京市朝阳区建国路87号\n",
        scope="110000",
    )
    # Capital minimums exist only in Shenzhen, and only from tomorrow on.
    _import(
        CAPITAL_MINIMUMS,
        "industry,minimum,outcome\n劳务派遣,200万,reject\n",
        scope="440300",
        effective_at=timezone.now() + datetime.timedelta(days=1),
    )


def _reads() -> dict[str, object]:
    return {
        "layers": {
            (kinds, scopes): selectors.published_layers(kinds=kinds, scopes=scopes)
            for kinds in [KINDS, (NAME_WORDS,), (CAPITAL_MINIMUMS,)]
            for scopes in [SCOPES, ("national",), ("440300", "national")]
        },
        "local": {kind: selectors.has_local_layers(kinds=[kind]) for kind in KINDS},
        "scopes": {kind: sorted(selectors.published_scopes(kind=kind)) for kind in KINDS},
        "addresses": standard_address_versions(),
    }


def test_pinned_reads_equal_the_logs_own_answers(log) -> None:
    unpinned = _reads()
    with publications_pinned():
        assert _reads() == unpinned
    # The cases the log holds are all exercised: a rollback, a local layer, a future-only scope.
    assert [v.number for v in unpinned["layers"][((NAME_WORDS,), ("national",))][NAME_WORDS]] == [1]
    assert unpinned["local"] == {NAME_WORDS: True, STANDARD_ADDRESSES: True, CAPITAL_MINIMUMS: True}
    assert unpinned["layers"][((CAPITAL_MINIMUMS,), SCOPES)][CAPITAL_MINIMUMS] == []
    assert [v.scope for v in unpinned["addresses"]] == ["national", "110000"]


def test_pinned_reads_cost_one_query_and_a_replay_still_asks_the_log(log) -> None:
    with CaptureQueriesContext(connection) as pinned:
        with publications_pinned():
            _reads()
            with publications_pinned():  # nested: the outer snapshot serves
                _reads()
    assert len(pinned) == 1
    with CaptureQueriesContext(connection) as replay:
        with publications_pinned():
            selectors.published_layers(kinds=[NAME_WORDS], as_of=timezone.now() - datetime.timedelta(days=1))
    assert len(replay) == 2


def test_a_stage_sees_the_moment_it_pinned(log) -> None:
    subject = Subject(company_name="深圳市湾区科技有限公司", address=SHENZHEN_ADDRESS)
    with publications_pinned():
        before = check_library("names", subject, ports=Ports())
        _import(NAME_WORDS, "word,level,reason\n湾区,prohibited,x\n", scope="440000")  # lands mid-stage
        during = check_library("names", subject, ports=Ports())
    after = check_library("names", subject, ports=Ports())
    assert (before.outcome, during.outcome, after.outcome) == ("review", "review", "reject")
    assert during.versions == before.versions != after.versions
