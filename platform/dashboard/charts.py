"""Server-side SVG charts: geometry computed here, drawn by templates in dashboard/charts/.

Drawing on the server needs no JavaScript library (there is no internet to fetch one, and
nothing to vendor and keep patched), renders the same in every browser, and prints. Each chart
is a frozen description: the template only places what is computed here.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext

Formatter = Callable[[float], str]


def format_count(value: float) -> str:
    return f"{value:,.0f}"


def format_percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def format_milliseconds(value: float) -> str:
    return f"{value:,.0f} ms" if value < 10_000 else format_seconds(value / 1000)


def format_seconds(value: float) -> str:
    """Seconds as people read them: 0.8 秒, 45 秒, 3.5 分钟, 2.0 小时, 1.5 天 (in the active language)."""
    if value < 10:
        return gettext("%(value)s 秒") % {"value": f"{value:.1f}"}
    if value < 120:
        return gettext("%(value)s 秒") % {"value": f"{value:.0f}"}
    if value < 7200:
        return gettext("%(value)s 分钟") % {"value": f"{value / 60:.1f}"}
    if value < 172_800:
        return gettext("%(value)s 小时") % {"value": f"{value / 3600:.1f}"}
    return gettext("%(value)s 天") % {"value": f"{value / 86400:.1f}"}


def nice_step(value: float, *, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ not below value: axis ticks land on round numbers.

    whole: for counts, where a tick at 2.5 (or 0.5) would be a fraction of an application.
    """
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    steps = (1, 2, 5, 10) if whole and magnitude < 10 else (1, 2, 2.5, 5, 10)
    for step in steps:
        if step * magnitude >= value:
            return max(step * magnitude, 1.0) if whole else step * magnitude
    return 10 * magnitude


# --- Column chart (vertical bars over categories) ----------------------------------------------


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    label_x: float
    show_label: bool


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class ColumnChart:
    chart_id: str
    title: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    columns: list[Column]
    ticks: list[Tick]
    empty: bool
    css: str = "bar"


def column_chart(
    *,
    chart_id: str,
    title: str,
    points: Sequence[tuple[str, float]],
    format_value: Formatter = format_count,
    width: int = 720,
    height: int = 240,
    css: str = "bar",
    max_labels: int = 12,
) -> ColumnChart:
    left, right, top, bottom = 48.0, width - 12.0, 14.0, height - 30.0
    largest = max((value for _, value in points), default=0)
    whole = all(float(value).is_integer() for _, value in points)
    # Four intervals on the axis, each a round number.
    ceiling = 4 * nice_step(largest / 4, whole=whole)
    slot = (right - left) / max(len(points), 1)
    # Thirty day labels do not fit under thirty columns: label every n-th, always the last.
    every = max(1, math.ceil(len(points) / max_labels))
    columns = []
    for index, (label, value) in enumerate(points):
        bar_height = (bottom - top) * value / ceiling
        bar_width = slot * 0.7
        x = left + index * slot + (slot - bar_width) / 2
        columns.append(
            Column(
                x=round(x, 1),
                y=round(bottom - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label=label,
                value_text=format_value(value),
                label_x=round(x + bar_width / 2, 1),
                show_label=(len(points) - 1 - index) % every == 0,
            )
        )
    ticks = [
        Tick(position=round(bottom - (bottom - top) * step / 4, 1), text=format_value(ceiling * step / 4))
        for step in range(5)
    ]
    return ColumnChart(
        chart_id=chart_id,
        title=title,
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        columns=columns,
        ticks=ticks,
        empty=not any(value for _, value in points),
        css=css,
    )


# --- Horizontal bar chart (rows of stacked or grouped bars) ------------------------------------


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css: str


@dataclass(frozen=True)
class LegendItem:
    x: float
    label: str
    css: str


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class RowBar:
    y: float
    height: float
    segments: list[Segment]
    value_text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Row:
    label: str
    short_label: str
    label_y: float
    bars: list[RowBar]


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    width: int
    height: int
    label_width: int
    rows: list[Row]
    legend: list[LegendItem]
    empty: bool
    axis_bottom: float = 0.0
    notes: list[str] = field(default_factory=list)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, dict[str, float]]],
    series: Sequence[Series],
    grouped: bool = False,
    format_value: Formatter = format_count,
    width: int = 720,
    label_width: int = 120,
    bar_height: float = 16.0,
    max_label_chars: int = 14,
    ceiling: float | None = None,
) -> BarChart:
    """Horizontal bars, one row per category.

    Stacked (the default): the series are parts of one whole, e.g. rejections and reviews.
    Grouped: each series gets its own bar in the row, e.g. p50 and p95, which do not add up.
    ceiling: the value of a full-length bar, at least; by default the largest value.
    """
    value_room = 90.0
    plot_width = width - label_width - value_room
    if grouped:
        largest = max((value or 0 for _, values in rows for value in values.values()), default=0)
    else:
        largest = max((sum(v or 0 for v in values.values()) for _, values in rows), default=0)
    ceiling = max(largest, ceiling or 0) or 1.0
    bars_per_row = len(series) if grouped else 1
    row_height = bars_per_row * (bar_height + 3) + 10
    legend_height = 22.0 if len(series) > 1 else 0.0
    built_rows = []
    for index, (label, values) in enumerate(rows):
        row_top = legend_height + index * row_height + 5
        bars = []
        groups = [[s] for s in series] if grouped else [list(series)]
        for bar_index, group in enumerate(groups):
            y = row_top + bar_index * (bar_height + 3)
            x = float(label_width)
            segments = []
            for s in group:
                value = values.get(s.key, 0) or 0
                segment_width = plot_width * value / ceiling
                segments.append(
                    Segment(
                        x=round(x, 1),
                        width=round(segment_width, 1),
                        css=s.css,
                        title=f"{label} · {s.label}: {format_value(value)}",
                    )
                )
                x += segment_width
            total = sum(values.get(s.key, 0) or 0 for s in group)
            shown = [s for s in group if s.key in values and values[s.key] is not None]
            value_text = format_value(total) if shown else "—"
            if grouped and len(series) > 1:
                value_text = f"{group[0].label} {value_text}"
            bars.append(
                RowBar(
                    y=round(y, 1),
                    height=bar_height,
                    segments=segments,
                    value_text=value_text,
                    text_x=round(x + 6, 1),
                    text_y=round(y + bar_height - 4, 1),
                )
            )
        short = label if len(label) <= max_label_chars else label[: max_label_chars - 1] + "…"
        built_rows.append(
            Row(
                label=label,
                short_label=short,
                label_y=round(row_top + bars_per_row * (bar_height + 3) / 2 + 3, 1),
                bars=bars,
            )
        )
    height = int(legend_height + len(rows) * row_height + 12)
    return BarChart(
        chart_id=chart_id,
        title=title,
        width=width,
        height=max(height, 60),
        label_width=label_width,
        rows=built_rows,
        legend=[LegendItem(x=label_width + index * 90, label=s.label, css=s.css) for index, s in enumerate(series)]
        if len(series) > 1
        else [],
        empty=not any(value for _, values in rows for value in values.values() if value),
        axis_bottom=height - 6,
    )


# --- Ring gauge (one share) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Gauge:
    chart_id: str
    title: str
    size: int
    center: float
    radius: float
    circumference: float
    dash: float
    rate_text: str
    caption: str
    empty: bool


def gauge(*, chart_id: str, title: str, rate: float | None, caption: str, size: int = 200) -> Gauge:
    radius = size / 2 - 16
    circumference = 2 * math.pi * radius
    return Gauge(
        chart_id=chart_id,
        title=title,
        size=size,
        center=size / 2,
        radius=round(radius, 1),
        circumference=round(circumference, 2),
        dash=round(circumference * (rate or 0), 2),
        rate_text=format_percent(rate) if rate is not None else "—",
        caption=caption,
        empty=rate is None,
    )
