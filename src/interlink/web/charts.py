"""Bar charts for console pages, computed here and drawn by ``_charts.html`` as inline
SVG (no chart library, no script): each bar has its value as text and a title, and the
template adds a table of the same figures for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "bar_chart"]

HEIGHT = 120  # drawing units of the tallest bar


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    width: float
    height: int = HEIGHT
    unit: str = ""

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def bar_chart(title: str, series: list[tuple[str, int]], *, unit: str = "") -> Chart:
    """A chart of ``series`` (label, value), bars scaled to the largest value."""
    highest = max((value for _, value in series), default=0)
    longest = max((len(label) for label, _ in series), default=0)
    slot, gap = max(24.0, 4.0 * longest), 4.0  # room for the labels under the bars
    bars = tuple(
        Bar(
            label=label,
            value=value,
            x=index * slot,
            width=slot - gap,
            height=(value / highest * HEIGHT) if highest else 0.0,
        )
        for index, (label, value) in enumerate(series)
    )
    return Chart(title=title, bars=bars, width=max(slot * len(series), slot), unit=unit)
