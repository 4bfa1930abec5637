"""Horizontal bar charts of consultation results as PNG, readable on a phone.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global figure state), so a chart
can be drawn in a worker thread: callers run `bar_chart_png` via `asyncio.to_thread`. Every word
on the chart is passed in by the caller (from the text catalogue). Characters the font cannot
draw (emoji, for instance) are left out before drawing, so no missing-glyph warning is raised.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.font_manager import FontProperties, findfont, get_font

from bot.results.suppression import SHOWN, Figure

WIDTH_PX = 1080
DPI = 100
_LABEL_PT = 22
_TITLE_PT = 26
_VALUE_PT = 22
_WRAP = 44  # characters per label line at 22 pt on 1080 px
_TITLE_WRAP = 38
_LINE = 0.42  # inches per text line
_BAR = 0.62  # inches per bar
_GAP = 0.30  # inches between options
_BAR_COLOUR = "#1f5f8b"
_MUTED_COLOUR = "#555555"


@lru_cache(maxsize=4)
def _charmap(weight: str) -> frozenset[int]:
    """Code points the default sans-serif font can draw, for one weight."""
    path = findfont(FontProperties(family="sans-serif", weight=weight))
    return frozenset(get_font(path).get_charmap())


def _drawable(text: str, weight: str = "normal") -> str:
    """The text without characters the font lacks (avoids missing-glyph warnings)."""
    known = _charmap(weight)
    return " ".join("".join(ch for ch in text if ch.isspace() or ord(ch) in known).split())


def _wrap(text: str, width: int) -> str:
    """Wrap text to lines of at most width characters, breaking long words if needed."""
    lines = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True)
    return "\n".join(lines) if lines else ""


def layout(title: str, labels: Sequence[str]) -> tuple[str, list[str], list[float]]:
    """The title and labels wrapped to drawable lines, and each label's height with its bar
    (inches): the layout the results chart and the members chart share."""
    wrapped = [_wrap(_drawable(label), _WRAP) for label in labels]
    title_text = _wrap(_drawable(title, "bold"), _TITLE_WRAP)
    heights = [(w.count("\n") + 1) * _LINE + _BAR + _GAP for w in wrapped]
    return title_text, wrapped, heights


def titled_figure(title_text: str, total_h: float) -> MplFigure:
    """A white figure WIDTH_PX wide and ``total_h`` inches high, with the title at its top."""
    fig = MplFigure(figsize=(WIDTH_PX / DPI, total_h), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    if title_text:
        fig.text(
            0.04,
            1 - 0.25 / total_h,
            title_text,
            ha="left",
            va="top",
            fontsize=_TITLE_PT,
            fontweight="bold",
            parse_math=False,
        )
    return fig


def build_figure(
    labels: Sequence[str],
    figures: Sequence[Figure],
    *,
    title: str,
    status_words: Mapping[str, str],
) -> MplFigure:
    """Build the chart as a matplotlib Figure (not yet rendered); suppressed figures get no bar."""
    if len(labels) != len(figures):
        raise ValueError("one label per figure")
    # Vertical layout in inches, top to bottom: title, then for each option its label and bar.
    title_text, wrapped, heights = layout(title, labels)
    title_h = (title_text.count("\n") + 1 if title_text else 0) * 0.5 + 0.3
    body_h = sum(heights) + 0.2
    total_h = title_h + body_h
    fig = titled_figure(title_text, total_h)
    shown = [f.value for f in figures if f.status == SHOWN and f.value is not None]
    top = max(shown, default=0) or 1
    ax = body_axes(fig, total_h, body_h, top * 1.18)  # room for the number after the longest bar
    pad = top * 0.015
    for figure, bar_y in zip(figures, labelled_rows(ax, wrapped, heights), strict=True):
        if figure.status == SHOWN and figure.value is not None:
            if figure.value > 0:
                ax.barh(bar_y, figure.value, height=_BAR * 0.8, color=_BAR_COLOUR)
            value_text(ax, figure.value + pad, bar_y, str(figure.value), fontweight="bold")
        else:
            word = _drawable(status_words.get(figure.status, ""))
            value_text(ax, pad, bar_y, word, style="italic", color=_MUTED_COLOUR)
    return fig


def body_axes(fig: MplFigure, total_h: float, body_h: float, width: float) -> Axes:
    """The axes for the bars, below the title: no frame, y in inches from the top of the
    body, x from 0 to ``width``."""
    ax = fig.add_axes((0.04, 0.1 / total_h, 0.92, body_h / total_h - 0.1 / total_h))
    ax.set_axis_off()
    ax.set_ylim(body_h - 0.1, 0)
    ax.set_xlim(0, width)
    return ax


def labelled_rows(ax: Axes, wrapped: Sequence[str], heights: Sequence[float]) -> Iterator[float]:
    """Write each row's label, top to bottom, and give the y of the bar under it."""
    y = 0.0
    for text, height in zip(wrapped, heights, strict=True):
        ax.text(0, y, text, ha="left", va="top", fontsize=_LABEL_PT, parse_math=False)
        yield y + (text.count("\n") + 1) * _LINE + _BAR / 2
        y += height


def value_text(ax: Axes, x: float, y: float, text: str, **style: Any) -> None:
    """A number or word written after a bar, in the value size."""
    ax.text(x, y, text, ha="left", va="center", fontsize=_VALUE_PT, parse_math=False, **style)


def bar_chart_png(
    labels: Sequence[str],
    figures: Sequence[Figure],
    *,
    title: str,
    status_words: Mapping[str, str],
) -> bytes:
    """Draw a horizontal bar chart of the figures and return it as PNG bytes."""
    fig = build_figure(labels, figures, title=title, status_words=status_words)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
