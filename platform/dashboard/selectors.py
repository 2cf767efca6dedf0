"""Reads behind the operator dashboard. Every figure is computed here from the platform's own
rows; the views and charts only present them.

Periods are whole local calendar days (Asia/Shanghai), today included, so that "last 7 days"
means the seven day-columns of the chart.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from applications.labels import DEPARTMENT_LABELS
from applications.models import Application, ApplicationStatus, Check, CheckOutcome, Outcome, WorkItem, WorkItemStatus
from dashboard.models import ServiceRating
from exchange.models import CircuitState, DepartmentCircuit, ExchangeRecord
from rules import engine

PERIOD_CHOICES = (7, 30)
DEFAULT_PERIOD_DAYS = 7
# 秒批: approved by the rules alone, within this long of submission.
INSTANT_APPROVAL_SECONDS = 60

# The rule libraries name themselves where they are registered (rules.engine); the names are
# short enough for the bars of a narrow chart.
LIBRARY_LABELS = engine.LIBRARY_LABELS


def _short_label(label: str) -> str:
    return str(label).split("：")[0]


# The dashboard wants the short department name: the part before the colon of the form's label,
# named here so that it has a short translation of its own. A department without one is cut from
# the form's label, lazily: in the language of the request, not of the import.
DEPARTMENT_SHORT_LABELS = {code: lazy(_short_label, str)(label) for code, label in DEPARTMENT_LABELS.items()} | {
    "market_regulation": _("市场监管"),
    "tax": _("税务"),
    "public_security": _("公安"),
    "social_security": _("人社"),
    "housing_fund": _("公积金"),
    "bank": _("银行"),
}
# The circuit breaker's states as the dashboard names them (exchange's own labels are not translated).
CIRCUIT_LABELS = {
    CircuitState.CLOSED.value: _("正常"),
    CircuitState.OPEN.value: _("熔断"),
    CircuitState.HALF_OPEN.value: _("试探"),
}
# Age buckets of the manual-review backlog: (upper bound in hours, label).
BACKLOG_BUCKETS: tuple[tuple[float, str], ...] = (
    (1, _("1 小时内")),
    (4, _("1–4 小时")),
    (24, _("4–24 小时")),
    (72, _("1–3 天")),
    (math.inf, _("3 天以上")),
)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Period:
    days: int
    since: datetime
    until: datetime

    @property
    def dates(self) -> list[date]:
        first = timezone.localtime(self.since).date()
        return [first + timedelta(days=offset) for offset in range(self.days)]


def period_for(*, days: int, now: datetime | None = None) -> Period:
    """The last `days` local calendar days, today included. Unknown lengths fall back to 7."""
    days = days if days in PERIOD_CHOICES else DEFAULT_PERIOD_DAYS
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    return Period(days=days, since=since, until=now)


# --- Applications -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


def applications_per_day(*, period: Period) -> list[DayCount]:
    """Applications submitted per local day, with the days that had none."""
    counts = dict(
        Application.objects.filter(created_at__gte=period.since, created_at__lte=period.until)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(count=Count("id"))
        .values_list("day", "count")
    )
    return [DayCount(day=day, count=counts.get(day, 0)) for day in period.dates]


@dataclass(frozen=True)
class DurationSummary:
    count: int
    p50_seconds: float | None
    p95_seconds: float | None


@dataclass(frozen=True)
class Timings:
    decision: DurationSummary
    completion: DurationSummary


def _durations(queryset: QuerySet[Application], end_field: str) -> DurationSummary:
    elapsed = ExpressionWrapper(F(end_field) - F("created_at"), output_field=DurationField())
    seconds = [
        delta.total_seconds()
        for delta in queryset.filter(**{f"{end_field}__isnull": False})
        .annotate(elapsed=elapsed)
        .values_list("elapsed", flat=True)
    ]
    return DurationSummary(
        count=len(seconds), p50_seconds=percentile(seconds, 0.50), p95_seconds=percentile(seconds, 0.95)
    )


def _decided(period: Period) -> QuerySet[Application]:
    # decided_at is also stamped when the rules send a case to a human; a case still waiting
    # for that human has no decision yet.
    return Application.objects.filter(
        created_at__gte=period.since, created_at__lte=period.until, decided_at__isnull=False
    ).exclude(status=ApplicationStatus.MANUAL_REVIEW)


def application_timings(*, period: Period) -> Timings:
    """Submission to final decision, and submission to completion, for applications of the period."""
    submitted = Application.objects.filter(created_at__gte=period.since, created_at__lte=period.until)
    return Timings(
        decision=_durations(_decided(period), "decided_at"),
        completion=_durations(submitted.filter(status=ApplicationStatus.COMPLETED), "completed_at"),
    )


@dataclass(frozen=True)
class InstantApproval:
    decided: int
    instant: int

    @property
    def rate(self) -> float | None:
        return self.instant / self.decided if self.decided else None


def instant_approval(*, period: Period) -> InstantApproval:
    """秒批 rate: decided applications approved by the rules, with no human, within 60 s."""
    decided = _decided(period)
    elapsed = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
    instant = (
        decided.filter(auto_outcome=Outcome.APPROVE)
        .annotate(elapsed=elapsed)
        .filter(elapsed__lte=timedelta(seconds=INSTANT_APPROVAL_SECONDS))
        .count()
    )
    return InstantApproval(decided=decided.count(), instant=instant)


# --- Rule libraries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryInterceptions:
    library: str
    label: str
    reject: int
    review: int

    @property
    def total(self) -> int:
        return self.reject + self.review


@dataclass(frozen=True)
class RuleCount:
    library: str
    rule: str
    count: int


def _intercepting_checks(period: Period) -> QuerySet[Check]:
    return Check.objects.filter(
        application__created_at__gte=period.since,
        application__created_at__lte=period.until,
        outcome__in=(CheckOutcome.REJECT, CheckOutcome.REVIEW),
    )


def library_interceptions(*, period: Period) -> list[LibraryInterceptions]:
    """Checks that rejected or sent to review, per library: every library, zeros included."""
    counts = {
        (row["library"], row["outcome"]): row["n"]
        for row in _intercepting_checks(period).values("library", "outcome").annotate(n=Count("id"))
    }
    libraries = list(LIBRARY_LABELS) + sorted({library for library, _outcome in counts} - set(LIBRARY_LABELS))
    return [
        LibraryInterceptions(
            library=library,
            label=str(LIBRARY_LABELS.get(library, library)),
            reject=counts.get((library, CheckOutcome.REJECT), 0),
            review=counts.get((library, CheckOutcome.REVIEW), 0),
        )
        for library in libraries
    ]


def top_rules(*, period: Period, limit: int = 10) -> list[RuleCount]:
    """The rules that fired most often. Counted in Python: unnesting a JSON array differs per database."""
    counter: Counter[tuple[str, str]] = Counter()
    for library, findings in _intercepting_checks(period).values_list("library", "findings").iterator(chunk_size=2000):
        for finding in findings or []:
            if finding.get("outcome") in (CheckOutcome.REJECT, CheckOutcome.REVIEW) and finding.get("rule"):
                counter[(library, finding["rule"])] += 1
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [RuleCount(library=library, rule=rule, count=count) for (library, rule), count in ranked]


# --- Manual review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewBacklog:
    count: int
    oldest_seconds: float | None
    median_seconds: float | None
    buckets: list[tuple[str, int]] = field(default_factory=list)


def review_backlog(*, now: datetime | None = None) -> ReviewBacklog:
    """Applications waiting for a reviewer now, and how long they have waited (not period-bound)."""
    now = now or timezone.now()
    waiting = Application.objects.filter(status=ApplicationStatus.MANUAL_REVIEW).values_list("decided_at", "created_at")
    # A case waits from the moment the rules sent it to review (its decided_at).
    ages = [(now - (decided_at or created_at)).total_seconds() for decided_at, created_at in waiting]
    buckets: Counter[float] = Counter()
    for age in ages:
        hours = age / 3600
        buckets[next(bound for bound, _label in BACKLOG_BUCKETS if hours < bound)] += 1
    return ReviewBacklog(
        count=len(ages),
        oldest_seconds=max(ages) if ages else None,
        median_seconds=percentile(ages, 0.5),
        buckets=[(str(label), buckets.get(bound, 0)) for bound, label in BACKLOG_BUCKETS],
    )


# --- Departments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentHealth:
    department: str
    label: str
    calls: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    circuit: str
    open_items: int

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def circuit_label(self) -> str:
        return str(CIRCUIT_LABELS[self.circuit]) if self.circuit in CIRCUIT_LABELS else self.circuit


def department_health(*, period: Period) -> list[DepartmentHealth]:
    """Per department: exchange calls of the period, their latency and error rate, the circuit
    breaker's state now, and the work items still open now."""
    durations: dict[str, list[float]] = {}
    errors: Counter[str] = Counter()
    records = ExchangeRecord.objects.filter(created_at__gte=period.since, created_at__lte=period.until)
    for department, duration_ms, outcome in records.values_list("department", "duration_ms", "outcome").iterator(
        chunk_size=5000
    ):
        durations.setdefault(department, []).append(float(duration_ms))
        # "ok" is a department that answered (a business refusal included); anything else is
        # the department failing us.
        if outcome != "ok":
            errors[department] += 1
    circuits = dict(DepartmentCircuit.objects.values_list("department", "state"))
    open_items = dict(
        WorkItem.objects.filter(status__in=(WorkItemStatus.PENDING, WorkItemStatus.IN_PROGRESS))
        .filter(application__status=ApplicationStatus.DISPATCHING)
        .values_list("department")
        .annotate(n=Count("id"))
        .values_list("department", "n")
    )
    departments = list(settings.DEPARTMENT_CODES) + sorted(
        (set(durations) | set(circuits)) - set(settings.DEPARTMENT_CODES)
    )
    return [
        DepartmentHealth(
            department=code,
            label=str(DEPARTMENT_SHORT_LABELS.get(code, code)),
            calls=len(durations.get(code, [])),
            errors=errors.get(code, 0),
            p50_ms=percentile(durations.get(code, []), 0.50),
            p95_ms=percentile(durations.get(code, []), 0.95),
            circuit=circuits.get(code, CircuitState.CLOSED),
            open_items=open_items.get(code, 0),
        )
        for code in departments
    ]


# --- Ratings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    distribution: list[tuple[int, int]]
    latest_comments: list[ServiceRating]


def rating_summary(*, period: Period, comments: int = 8) -> RatingSummary:
    ratings = ServiceRating.objects.filter(created_at__gte=period.since, created_at__lte=period.until)
    totals = ratings.aggregate(count=Count("id"), average=Avg("score"))
    by_score = dict(ratings.values_list("score").annotate(n=Count("id")).values_list("score", "n"))
    latest = list(ratings.exclude(comment="").select_related("application").order_by("-created_at", "-id")[:comments])
    return RatingSummary(
        count=totals["count"],
        average=totals["average"],
        distribution=[(score, by_score.get(score, 0)) for score in range(5, 0, -1)],
        latest_comments=latest,
    )


def rating_for(*, application: Application) -> ServiceRating | None:
    return ServiceRating.objects.filter(application=application).first()


# --- Everything the page shows ------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardOverview:
    period: Period
    per_day: list[DayCount]
    submitted: int
    timings: Timings
    instant: InstantApproval
    interceptions: list[LibraryInterceptions]
    rules: list[RuleCount]
    backlog: ReviewBacklog
    departments: list[DepartmentHealth]
    ratings: RatingSummary


@dataclass(frozen=True)
class FailedWorkItem:
    id: int
    department: str
    label: str
    reference: str
    application_id: object
    application_status: str
    error: str
    attempts: int
    finished_at: datetime | None


def failed_work_items(*, limit: int = 50) -> list[FailedWorkItem]:
    """Department filings that failed for good and wait for an operator's resend, newest first.

    Through the (status, department) index: the failed items are few, however long history is.
    """
    items = (
        WorkItem.objects.filter(
            status=WorkItemStatus.FAILED,
            application__status__in=(ApplicationStatus.INCOMPLETE, ApplicationStatus.DISPATCHING),
        )
        .select_related("application")
        .only("id", "department", "error", "attempts", "finished_at", "application__id", "application__status")
        .order_by("-finished_at", "-id")[:limit]
    )
    return [
        FailedWorkItem(
            id=item.pk,
            department=item.department,
            label=str(DEPARTMENT_SHORT_LABELS.get(item.department, item.department)),
            reference=item.application.reference,
            application_id=item.application.id,
            application_status=item.application.status,
            error=item.error,
            attempts=item.attempts,
            finished_at=item.finished_at,
        )
        for item in items
    ]


def dashboard_overview(*, days: int, now: datetime | None = None) -> DashboardOverview:
    period = period_for(days=days, now=now)
    per_day = applications_per_day(period=period)
    return DashboardOverview(
        period=period,
        per_day=per_day,
        submitted=sum(day.count for day in per_day),
        timings=application_timings(period=period),
        instant=instant_approval(period=period),
        interceptions=library_interceptions(period=period),
        rules=top_rules(period=period),
        backlog=review_backlog(now=period.until),
        departments=department_health(period=period),
        ratings=rating_summary(period=period),
    )
