"""A small SVG renderer: column charts and time series, drawn from typed numbers.

Data is never markup here: every label, tip and title is escaped, and every coordinate is
written from a number this module computes (never from a string it was given). Styling is by
class only (the page's one ``<style>`` block), so a chart needs no inline style and no script.
Each chart is ``role="img"`` with a ``<title>`` and ``<desc>``; its data table is the page's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

__all__ = [
    "Column",
    "Point",
    "Series",
    "column_chart",
    "escape_text",
    "nice_ticks",
    "time_series",
]

# Characters XML (so SVG) does not allow, and lone surrogates no encoder writes.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def escape_text(value: str) -> str:
    """``value`` for a text node or a quoted attribute: escaped, with the characters XML does
    not allow (control codes such as ESC and BEL) written as U+FFFD."""
    return escape(_NOT_TEXT.sub("\ufffd", value), quote=True)


Number = int | Decimal
Attr = str | int | float | Decimal


@dataclass(frozen=True)
class Column:
    """One column: its category label, value (``None``: hidden, drawn as an empty slot), the
    value as written above it, and the tip shown on hover."""

    label: str
    value: Number | None
    shown: str
    tip: str
    css: str = "bar"


@dataclass(frozen=True)
class Point:
    """One dated value of a series (``None``: hidden; the line breaks there)."""

    when: date
    value: int | None
    tip: str


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    points: tuple[Point, ...]


def _number(value: Attr) -> str:
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)  # int, Decimal: as they are


def _tag(name: str, attrs: Mapping[str, Attr], body: str = "") -> str:
    written = "".join(f' {key}="{_number(value)}"' for key, value in attrs.items())
    return f"<{name}{written}>{body}</{name}>" if body else f"<{name}{written}/>"


def _text(x: float, y: float, text: str, css: str) -> str:
    return _tag("text", {"x": x, "y": y, "class": css}, escape_text(text))


def _tip(text: str) -> str:
    return _tag("title", {}, escape_text(text))


def nice_ticks(top: Number, count: int = 4) -> list[Decimal]:
    """Round axis ticks from 0 to at least ``top``: steps of 1, 2 or 5 times a power of ten."""
    top = Decimal(top)
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / count
    power = Decimal(10) ** (raw.adjusted())
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks, tick = [], Decimal(0)
    while tick < top:
        ticks.append(tick)
        tick += step
    return [*ticks, tick]


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> str:
    return _tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "chart",
            "id": chart_id,
        },
        _tag("title", {"id": f"{chart_id}-title"}, escape_text(title))
        + _tag("desc", {"id": f"{chart_id}-desc"}, escape_text(desc))
        + body,
    )


def _y_axis(
    ticks: Sequence[Decimal],
    y_of: Callable[[Decimal], float],
    left: int,
    right: int,
    label: Callable[[Decimal], str],
) -> str:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(_tag("line", {"x1": left, "x2": right, "y1": y, "y2": y, "class": "grid"}))
        parts.append(_text(left - 6, y + 4, label(tick), "tick y"))
    return _tag("g", {"class": "axis"}, "".join(parts))


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[Column],
    *,
    tick_label: Callable[[Decimal], str] = str,
    top: Number | None = None,
    width: int = 440,
    height: int = 240,
) -> str:
    """Vertical columns with their values written above them; a hidden value is an empty,
    dashed slot with its ``shown`` text (such as ``<5``)."""
    left, right, top_pad, bottom = 46, width - 8, 22, height - 34
    values = [c.value for c in columns if c.value is not None]
    ticks = nice_ticks(top if top is not None else max(values, default=0))
    scale = ticks[-1]

    def y_of(value: Number) -> float:
        return bottom - float(Decimal(value) / scale) * (bottom - top_pad)

    slot = (right - left) / max(len(columns), 1)
    bar = min(slot * 0.68, 64.0)
    parts = [_y_axis(ticks, y_of, left, right, tick_label)]
    for index, column in enumerate(columns):
        x = left + slot * index + (slot - bar) / 2
        middle = x + bar / 2
        if column.value is None:
            box = {"x": x, "y": top_pad, "width": bar, "height": bottom - top_pad}
            parts.append(_tag("rect", {**box, "class": "slot"}, _tip(column.tip)))
            parts.append(_text(middle, bottom - 6, column.shown, "value hidden"))
        else:
            y = y_of(column.value)
            box = {"x": x, "y": y, "width": bar, "height": bottom - y}
            parts.append(_tag("rect", {**box, "class": f"bar {column.css}"}, _tip(column.tip)))
            parts.append(_text(middle, y - 5, column.shown, "value"))
        parts.append(_text(middle, bottom + 16, column.label, "tick x"))
    parts.append(
        _tag("line", {"x1": left, "x2": right, "y1": bottom, "y2": bottom, "class": "base"})
    )
    return _frame(chart_id, title, desc, width, height, "".join(parts))


def _segments(points: Sequence[tuple[float, float] | None]) -> str:
    """An SVG path through the points, broken where a point is hidden."""
    path, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{_number(point[0])} {_number(point[1])}")
        pen_down = True
    return " ".join(path)


def time_series(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    *,
    date_label: Callable[[date, date | None], str],
    width: int = 880,
    height: int = 260,
    max_labels: int = 9,
) -> str:
    """Lines over dates with a marker at every shown point; x is proportional to the date.
    ``date_label(day, previous labelled day)`` writes an axis label (say, the year once)."""
    left, right, top_pad, bottom = 46, width - 14, 28, height - 34
    days = sorted({p.when for s in series for p in s.points})
    values = [p.value for s in series for p in s.points if p.value is not None]
    ticks = nice_ticks(max(values, default=0))
    scale = ticks[-1]
    first, span = (days[0], max((days[-1] - days[0]).days, 1)) if days else (date.min, 1)

    def x_of(day: date) -> float:
        return (
            left + (right - left) * (day - first).days / span
            if len(days) > 1
            else (left + right) / 2
        )

    def y_of(value: Number) -> float:
        return bottom - float(Decimal(value) / scale) * (bottom - top_pad)

    parts = [_y_axis(ticks, y_of, left, right, str)]
    every = max(1, -(-len(days) // max_labels))
    labelled: date | None = None
    for day in days[::every]:
        x = x_of(day)
        edge = " end" if x > right - 36 else ""  # a label centred there would be cut off
        parts.append(_text(x, bottom + 18, date_label(day, labelled), "tick x" + edge))
        labelled = day
    parts.append(
        _tag("line", {"x1": left, "x2": right, "y1": bottom, "y2": bottom, "class": "base"})
    )
    for index, line in enumerate(series):
        xy = [None if p.value is None else (x_of(p.when), y_of(p.value)) for p in line.points]
        marks = "".join(
            _tag("circle", {"cx": at[0], "cy": at[1], "r": 3.5, "class": "point"}, _tip(p.tip))
            for p, at in zip(line.points, xy, strict=True)
            if at is not None
        )
        path = _tag("path", {"d": _segments(xy), "class": "line"}) if len(values) else ""
        parts.append(_tag("g", {"class": f"series {line.css}"}, path + marks))
        if len(series) > 1:  # a legend, right-aligned along the top
            x = right - 96 * (len(series) - index)
            key = _tag("rect", {"x": x, "y": 6, "width": 12, "height": 12, "class": "key"})
            parts.append(
                _tag(
                    "g",
                    {"class": f"legend {line.css}"},
                    key + _text(x + 17, 16, line.name, "legend-text"),
                )
            )
    return _frame(chart_id, title, desc, width, height, "".join(parts))
