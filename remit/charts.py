"""Geometry of a small line chart, for SVG drawn on the server: no script, no library.

Pure: series of (date, percent) in, pixel coordinates out. The template draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 400, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 26   # room for the axis labels


@dataclass(frozen=True)
class Line:
    name: str
    points: list[tuple[float, float]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, Decimal]]     # (y, percent)
    x_ticks: list[tuple[float, date]]        # (x, day)
    targets: list[tuple[float, Decimal]]     # horizontal target lines (y, percent)
    span_days: int = 0
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def tick_unit(self) -> str:
        """How precisely the time axis should be labelled: "year", "month" or "day"."""
        if self.span_days > 3 * 365:
            return "year"
        return "month" if self.span_days > 90 else "day"


def line_chart(series: dict[str, list[tuple[date, Decimal]]],
               targets: tuple[Decimal, ...] = (Decimal(3), Decimal(5))) -> Chart | None:
    """Scale the series into one chart with a zero-based percent axis; None if no data."""
    values = [(day, value) for points in series.values() for day, value in points]
    if not values:
        return None
    first = min(day for day, _ in values).toordinal()
    last = max(day for day, _ in values).toordinal()
    top_value = _nice_ceiling(max([value for _, value in values] + list(targets)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        if last == first:
            return LEFT + plot_width / 2
        return LEFT + (day.toordinal() - first) / (last - first) * plot_width

    def y_of(value: Decimal) -> float:
        return TOP + plot_height * (1 - float(value / top_value))

    step = top_value / 4
    lines = [Line(name, [(x_of(day), y_of(value)) for day, value in points])
             for name, points in series.items() if points]
    days = sorted({day for day, _ in values})
    shown = days if len(days) <= 4 else [days[0], days[len(days) // 3],
                                           days[2 * len(days) // 3], days[-1]]
    return Chart(WIDTH, HEIGHT, lines,
                 [(y_of(step * i), step * i) for i in range(5)],
                 [(x_of(day), day) for day in shown],
                 [(y_of(target), target) for target in targets], last - first)


def _nice_ceiling(value: Decimal) -> Decimal:
    """The axis top: 4, 8, 12, 16, 20, 40, ... percent, so that quarter steps are round."""
    for top in (4, 8, 12, 16, 20, 40, 60, 80, 100):
        if value <= top:
            return Decimal(top)
    return Decimal(int(value / 100 + 1) * 100)


def cost_chart(history) -> Chart | None:
    """A ``remit.history.CostHistory`` as a chart: average, cheapest, the World Bank's average."""
    return line_chart({"avg": [(p.start, p.average) for p in history.points],
                       "min": [(p.start, p.cheapest) for p in history.points],
                       "wb": [(p.start, p.average) for p in history.world_bank]})
