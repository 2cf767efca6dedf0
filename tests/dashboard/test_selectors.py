"""The dashboard's figures, computed from constructed rows whose answers are known."""

from datetime import timedelta

import pytest

from applications.models import ApplicationStatus, Check, CheckOutcome, CheckStatus, Outcome, WorkItem, WorkItemStatus
from dashboard.models import ServiceRating
from dashboard.selectors import (
    application_timings,
    applications_per_day,
    department_health,
    instant_approval,
    library_interceptions,
    percentile,
    period_for,
    rating_for,
    rating_summary,
    review_backlog,
    top_rules,
)
from exchange.models import CircuitState, DepartmentCircuit, ExchangeRecord
from tests.dashboard.conftest import NOW, at, make_application

pytestmark = pytest.mark.django_db

WEEK = period_for(days=7, now=NOW)


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([10, 20, 30, 40], 0.5) == 25
    assert percentile([10, 20, 30, 40, 100], 0.95) == pytest.approx(88)


def test_a_period_is_whole_local_days_today_included():
    assert WEEK.since == at(14, 0)
    assert [d.day for d in WEEK.dates] == list(range(14, 21))
    assert period_for(days=30, now=NOW).since == at(20, 0) - timedelta(days=29)
    # Anything but 7 or 30 is 7.
    assert period_for(days=365, now=NOW).days == 7


def test_applications_per_day_counts_local_days_and_fills_empty_ones():
    make_application(created_at=at(13, 23, 59))  # before the period
    make_application(created_at=at(14, 0, 1))
    make_application(created_at=at(16, 9))
    make_application(created_at=at(16, 23, 30))  # 15:30 UTC: still the 16th in Shenzhen
    make_application(created_at=at(20, 17))

    per_day = applications_per_day(period=WEEK)

    assert [(d.day.day, d.count) for d in per_day] == [(14, 1), (15, 0), (16, 2), (17, 0), (18, 0), (19, 0), (20, 1)]


def test_time_to_decision_and_to_completion_p50_and_p95():
    for seconds in (10, 20, 30, 40, 100):
        make_application(
            created_at=at(18), decided_after=seconds, completed_after=seconds * 10, outcome=Outcome.APPROVE
        )
    # Still waiting for a reviewer: the rules stamped decided_at, but nobody has decided.
    make_application(created_at=at(18), status=ApplicationStatus.MANUAL_REVIEW, decided_after=1, outcome=Outcome.REVIEW)
    # Rejected: decided, never completed.
    make_application(created_at=at(18), status=ApplicationStatus.REJECTED, decided_after=50, outcome=Outcome.REJECT)
    # Outside the period.
    make_application(created_at=at(1), decided_after=9999, completed_after=9999)

    timings = application_timings(period=WEEK)

    assert timings.decision.count == 6
    assert timings.decision.p50_seconds == pytest.approx(35)
    assert timings.decision.p95_seconds == pytest.approx(87.5)
    assert timings.completion.count == 5
    assert timings.completion.p50_seconds == pytest.approx(300)
    assert timings.completion.p95_seconds == pytest.approx(880)


def test_instant_approval_rate_counts_rule_approvals_within_sixty_seconds():
    approve = {"outcome": Outcome.APPROVE, "auto_outcome": Outcome.APPROVE}
    make_application(created_at=at(18), decided_after=3, **approve)  # 秒批
    make_application(created_at=at(18), decided_after=60, **approve)  # 秒批, on the limit
    make_application(created_at=at(18), decided_after=61, **approve)  # too slow
    # Approved by a human within a minute: not 秒批.
    make_application(created_at=at(18), decided_after=20, outcome=Outcome.APPROVE, auto_outcome=Outcome.REVIEW)
    make_application(
        created_at=at(18),
        status=ApplicationStatus.REJECTED,
        decided_after=2,
        outcome=Outcome.REJECT,
        auto_outcome=Outcome.REJECT,
    )
    # Not decided yet: not in the denominator.
    make_application(created_at=at(18), status=ApplicationStatus.CHECKING)
    make_application(
        created_at=at(18),
        status=ApplicationStatus.MANUAL_REVIEW,
        decided_after=1,
        outcome=Outcome.REVIEW,
        auto_outcome=Outcome.REVIEW,
    )

    figures = instant_approval(period=WEEK)

    assert (figures.instant, figures.decided) == (2, 5)
    assert figures.rate == pytest.approx(0.4)


def test_instant_approval_rate_is_unknown_without_decisions():
    assert instant_approval(period=WEEK).rate is None


def _check(application, library, outcome, rules=()):
    return Check.objects.create(
        application=application,
        library=library,
        status=CheckStatus.DONE,
        outcome=outcome,
        findings=[{"rule": rule, "outcome": outcome, "library": library} for rule in rules],
    )


def test_interceptions_per_library_and_the_top_rules():
    first, second, third = (make_application(created_at=at(18)) for _ in range(3))
    old = make_application(created_at=at(1))
    _check(first, "names", CheckOutcome.REJECT, ["names.prohibited_word", "names.organisation_form"])
    _check(first, "addresses", CheckOutcome.PASS)
    _check(second, "names", CheckOutcome.REJECT, ["names.prohibited_word"])
    _check(second, "dishonest", CheckOutcome.REVIEW, ["dishonest.listed_person"])
    _check(third, "names", CheckOutcome.REVIEW, ["names.restricted_word"])
    _check(third, "addresses", CheckOutcome.REJECT, ["addresses.negative_list"])
    _check(old, "names", CheckOutcome.REJECT, ["names.prohibited_word"])

    by_library = {row.library: (row.reject, row.review) for row in library_interceptions(period=WEEK)}
    rules = [(rule.rule, rule.count) for rule in top_rules(period=WEEK, limit=3)]

    assert by_library == {
        "names": (2, 1),
        "addresses": (1, 0),
        "identity": (0, 0),
        "dishonest": (0, 1),
        "capital": (0, 0),
    }
    assert rules == [("names.prohibited_word", 2), ("addresses.negative_list", 1), ("dishonest.listed_person", 1)]


def test_the_manual_review_backlog_and_its_age():
    waiting = {"status": ApplicationStatus.MANUAL_REVIEW, "outcome": Outcome.REVIEW}
    for hours_ago in (0.5, 2, 30, 100):
        make_application(created_at=NOW - timedelta(hours=hours_ago, minutes=1), decided_after=60, **waiting)
    make_application(created_at=at(1), status=ApplicationStatus.COMPLETED)

    backlog = review_backlog(now=NOW)

    assert backlog.count == 4
    assert backlog.oldest_seconds == pytest.approx(100 * 3600)
    assert backlog.median_seconds == pytest.approx(16 * 3600)
    assert backlog.buckets == [("1 小时内", 1), ("1–4 小时", 1), ("4–24 小时", 0), ("1–3 天", 1), ("3 天以上", 1)]


def test_department_latency_error_rate_circuit_and_open_items():
    for duration, outcome in [(100, "ok"), (200, "ok"), (300, "ok"), (400, "error")]:
        record = ExchangeRecord.objects.create(
            department="tax", endpoint="/register", duration_ms=duration, outcome=outcome
        )
        ExchangeRecord.objects.filter(pk=record.pk).update(created_at=at(19))
    old = ExchangeRecord.objects.create(department="tax", endpoint="/register", duration_ms=9000, outcome="error")
    ExchangeRecord.objects.filter(pk=old.pk).update(created_at=at(1))
    DepartmentCircuit.objects.create(department="bank", state=CircuitState.OPEN)
    dispatching = make_application(created_at=at(19), status=ApplicationStatus.DISPATCHING)
    WorkItem.objects.create(application=dispatching, department="bank", idempotency_key="k1")
    WorkItem.objects.create(application=dispatching, department="tax", idempotency_key="k2", status=WorkItemStatus.DONE)

    health = {row.department: row for row in department_health(period=WEEK)}

    assert list(health)[:6] == [
        "market_regulation",
        "tax",
        "public_security",
        "social_security",
        "housing_fund",
        "bank",
    ]
    tax = health["tax"]
    assert (tax.calls, tax.errors, tax.error_rate) == (4, 1, 0.25)
    assert (tax.p50_ms, tax.p95_ms) == (pytest.approx(250), pytest.approx(385))
    assert tax.circuit == CircuitState.CLOSED
    assert (health["bank"].circuit, health["bank"].circuit_label, health["bank"].open_items) == ("open", "熔断", 1)
    assert health["market_regulation"].error_rate is None


def test_rating_summary_average_distribution_and_latest_comments():
    for score, comment in [(5, "很快，一天就办好了"), (4, ""), (5, ""), (2, "地址库找不到我的楼")]:
        ServiceRating.objects.create(application=make_application(created_at=at(18)), score=score, comment=comment)

    summary = rating_summary(period=period_for(days=7))

    assert summary.count == 4
    assert summary.average == pytest.approx(4.0)
    assert summary.distribution == [(5, 2), (4, 1), (3, 0), (2, 1), (1, 0)]
    assert [r.comment for r in summary.latest_comments] == ["地址库找不到我的楼", "很快，一天就办好了"]


def test_rating_for_an_application():
    application = make_application(created_at=at(18))
    assert rating_for(application=application) is None
    rating = ServiceRating.objects.create(application=application, score=3)
    assert rating_for(application=application) == rating
