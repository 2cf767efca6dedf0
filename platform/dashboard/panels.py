"""Turns the dashboard's figures (selectors) into the charts the page draws (charts)."""

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.charts import Series
from dashboard.selectors import DashboardOverview, DepartmentHealth

P50 = Series(key="p50", label="P50", css="bar")
P95 = Series(key="p95", label="P95", css="bar-dark")
REJECT = Series(key="reject", label=_("驳回"), css="bar-red")
REVIEW = Series(key="review", label=_("转人工"), css="bar-amber")


def _or_dash(value: float | None, formatter: charts.Formatter) -> str:
    return "—" if value is None else formatter(value)


@dataclass(frozen=True)
class DepartmentRow:
    health: DepartmentHealth
    p50: str
    p95: str
    error_rate: str


@dataclass(frozen=True)
class DashboardTexts:
    """Figures the page prints as text, formatted once here."""

    decision_p50: str
    completion_p50: str
    backlog_median: str
    backlog_oldest: str
    departments: list[DepartmentRow]


def dashboard_texts(*, overview: DashboardOverview) -> DashboardTexts:
    return DashboardTexts(
        decision_p50=_or_dash(overview.timings.decision.p50_seconds, charts.format_seconds),
        completion_p50=_or_dash(overview.timings.completion.p50_seconds, charts.format_seconds),
        backlog_median=_or_dash(overview.backlog.median_seconds, charts.format_seconds),
        backlog_oldest=_or_dash(overview.backlog.oldest_seconds, charts.format_seconds),
        departments=[
            DepartmentRow(
                health=health,
                p50=_or_dash(health.p50_ms, charts.format_milliseconds),
                p95=_or_dash(health.p95_ms, charts.format_milliseconds),
                error_rate=_or_dash(health.error_rate, charts.format_percent),
            )
            for health in overview.departments
        ],
    )


@dataclass(frozen=True)
class DashboardCharts:
    per_day: charts.ColumnChart
    timings: charts.BarChart
    instant: charts.Gauge
    interceptions: charts.BarChart
    top_rules: charts.BarChart
    backlog: charts.ColumnChart
    latency: charts.BarChart
    errors: charts.BarChart
    ratings: charts.BarChart


def dashboard_charts(*, overview: DashboardOverview) -> DashboardCharts:
    timings = overview.timings
    return DashboardCharts(
        per_day=charts.column_chart(
            chart_id="chart-applications-per-day",
            title=gettext("每日申请量"),
            points=[(f"{day.day:%m-%d}", day.count) for day in overview.per_day],
        ),
        timings=charts.bar_chart(
            chart_id="chart-timings",
            title=gettext("办理时长（P50 / P95）"),
            rows=[
                (gettext("提交→审批决定"), {"p50": timings.decision.p50_seconds, "p95": timings.decision.p95_seconds}),
                (
                    gettext("提交→全部办结"),
                    {"p50": timings.completion.p50_seconds, "p95": timings.completion.p95_seconds},
                ),
            ],
            series=[P50, P95],
            grouped=True,
            format_value=charts.format_seconds,
            width=560,
        ),
        instant=charts.gauge(
            chart_id="chart-instant-approval",
            title=gettext("秒批率"),
            rate=overview.instant.rate,
            caption=ngettext("%(instant)s / %(decided)s 件", "%(instant)s / %(decided)s 件", overview.instant.decided)
            % {"instant": overview.instant.instant, "decided": overview.instant.decided},
        ),
        interceptions=charts.bar_chart(
            chart_id="chart-interceptions",
            title=gettext("各规则库拦截量"),
            rows=[(row.label, {"reject": row.reject, "review": row.review}) for row in overview.interceptions],
            series=[REJECT, REVIEW],
            width=560,
        ),
        top_rules=charts.bar_chart(
            chart_id="chart-top-rules",
            title=gettext("触发最多的规则"),
            rows=[(f"{rule.rule}", {"count": rule.count}) for rule in overview.rules],
            series=[Series(key="count", label=gettext("触发次数"), css="bar-amber")],
            width=560,
            label_width=200,
            max_label_chars=26,
        ),
        backlog=charts.column_chart(
            chart_id="chart-review-backlog",
            title=gettext("人工审批积压（按等待时长）"),
            points=overview.backlog.buckets,
            width=560,
            height=200,
            css="bar-amber",
        ),
        latency=charts.bar_chart(
            chart_id="chart-department-latency",
            title=gettext("部门接口时延（P50 / P95）"),
            rows=[(d.label, {"p50": d.p50_ms, "p95": d.p95_ms}) for d in overview.departments],
            series=[P50, P95],
            grouped=True,
            format_value=charts.format_milliseconds,
            width=560,
            label_width=80,
        ),
        errors=charts.bar_chart(
            chart_id="chart-department-errors",
            title=gettext("部门接口错误率"),
            rows=[(d.label, {"rate": d.error_rate}) for d in overview.departments],
            series=[Series(key="rate", label=gettext("错误率"), css="bar-red")],
            format_value=charts.format_percent,
            # A scale of at least 10 %, so that 1 % of errors does not draw a full-length bar.
            ceiling=0.1,
            width=560,
            label_width=80,
        ),
        ratings=charts.bar_chart(
            chart_id="chart-ratings",
            title=gettext("评分分布"),
            rows=[(f"{'★' * score}", {"count": count}) for score, count in overview.ratings.distribution],
            series=[Series(key="count", label=gettext("评价数"), css="bar-green")],
            width=560,
            label_width=90,
        ),
    )
