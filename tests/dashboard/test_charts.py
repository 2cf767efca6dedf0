"""Chart geometry: bars proportional to their values, on round axes, with readable labels."""

import math

import pytest

from dashboard.charts import Series, bar_chart, column_chart, format_seconds, gauge, nice_step


@pytest.mark.parametrize(
    ("value", "whole", "step"),
    [(0, True, 1), (0.25, True, 1), (1.25, True, 2), (25, True, 25), (2.2, True, 5), (0.3, False, 0.5), (7, False, 10)],
)
def test_axis_steps_are_round_numbers(value, whole, step):
    assert nice_step(value, whole=whole) == step


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.84, "0.8 秒"), (45, "45 秒"), (210, "3.5 分钟"), (7200, "2.0 小时"), (129600, "36.0 小时"), (259200, "3.0 天")],
)
def test_durations_read_like_people_say_them(seconds, text):
    assert format_seconds(seconds) == text


def test_columns_are_proportional_and_the_axis_is_whole_for_counts():
    chart = column_chart(chart_id="c", title="t", points=[("a", 4), ("b", 2), ("c", 0)], height=240)

    heights = [column.height for column in chart.columns]
    assert heights[0] == pytest.approx(2 * heights[1])
    assert heights[2] == 0
    assert heights[0] == pytest.approx(chart.bottom - chart.top)
    assert [tick.text for tick in chart.ticks] == ["0", "1", "2", "3", "4"]
    assert not chart.empty


def test_thirty_day_labels_are_thinned_but_the_last_is_kept():
    chart = column_chart(chart_id="c", title="t", points=[(f"d{i}", i) for i in range(30)])
    labelled = [column.label for column in chart.columns if column.show_label]
    assert len(labelled) <= 12
    assert labelled[-1] == "d29"


def test_an_all_zero_chart_says_so():
    assert column_chart(chart_id="c", title="t", points=[("a", 0)]).empty
    assert bar_chart(chart_id="b", title="t", rows=[("x", {"n": 0})], series=[Series("n", "n", "bar")]).empty


def test_stacked_bars_add_up_and_grouped_bars_stand_apart():
    series = [Series("reject", "驳回", "bar-red"), Series("review", "转人工", "bar-amber")]
    stacked = bar_chart(
        chart_id="s", title="t", rows=[("名称库", {"reject": 3, "review": 1}), ("地址库", {"reject": 2})], series=series
    )
    first = stacked.rows[0].bars[0].segments
    assert len(stacked.rows[0].bars) == 1
    assert first[1].x == pytest.approx(first[0].x + first[0].width)
    assert first[0].width == pytest.approx(3 * first[1].width)
    assert stacked.rows[0].bars[0].value_text == "4"

    grouped = bar_chart(
        chart_id="g",
        title="t",
        rows=[("决定", {"reject": 10, "review": 20})],
        series=series,
        grouped=True,
    )
    bars = grouped.rows[0].bars
    assert len(bars) == 2
    assert bars[1].segments[0].width == pytest.approx(2 * bars[0].segments[0].width)
    assert bars[0].segments[0].x == bars[1].segments[0].x


def test_a_missing_value_is_a_dash_not_a_zero():
    chart = bar_chart(chart_id="d", title="t", rows=[("银行", {"p50": None})], series=[Series("p50", "P50", "bar")])
    assert chart.rows[0].bars[0].value_text == "—"


def test_the_gauge_fills_its_share_of_the_ring():
    ring = gauge(chart_id="g", title="秒批率", rate=0.25, caption="1 / 4")
    assert ring.dash == pytest.approx(ring.circumference / 4, abs=0.01)
    assert ring.circumference == pytest.approx(2 * math.pi * ring.radius, abs=0.01)
    assert ring.rate_text == "25.0%"
    assert gauge(chart_id="g", title="秒批率", rate=None, caption="").rate_text == "—"
