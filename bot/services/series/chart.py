"""A line chart of a series' trend as PNG: each answer's share across the rounds, readable on a
phone. A hidden figure is a gap in its line, never a point.

matplotlib's object API with the Agg canvas (no pyplot, no global state), as the results bar
chart (`bot/results/chart.py`), so it is drawn in a worker thread: callers run
`trend_chart_png` via `asyncio.to_thread`. Every word is passed in by the caller (from the text
catalogue).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from bot.results.chart import DPI, WIDTH_PX, layout, titled_figure

_LINE_COLOURS = ("#1f5f8b", "#c45a00", "#2e7d32", "#7b1fa2", "#b00020", "#00838f", "#5d4037")
_STYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_TICK_PT = 18
_LEGEND_PT = 18
_PLOT_H = 5.2  # inches for the plot itself


def trend_chart_png(
    title: str,
    round_labels: Sequence[str],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    *,
    axis_label: str,
) -> bytes:
    """Draw one line per answer (label, a value or None per round; None is a gap) over the
    rounds, percent from 0 to 100, and return the chart as PNG bytes."""
    if any(len(values) != len(round_labels) for _, values in lines):
        raise ValueError("one value per round")
    title_text, wrapped, _ = layout(title, [label for label, _ in lines])
    title_h = (title_text.count("\n") + 1 if title_text else 0) * 0.5 + 0.3
    legend_h = sum(label.count("\n") + 1 for label in wrapped) * 0.36 + 0.3
    total_h = title_h + _PLOT_H + legend_h
    fig = titled_figure(title_text, total_h)
    bottom = (legend_h + 0.9) / total_h
    ax = fig.add_axes((0.12, bottom, 0.84, (_PLOT_H - 1.0) / total_h))
    xs = list(range(len(round_labels)))
    for index, ((_, values), label) in enumerate(zip(lines, wrapped, strict=True)):
        ys = [math.nan if value is None else value for value in values]
        ax.plot(
            xs,
            ys,
            color=_LINE_COLOURS[index % len(_LINE_COLOURS)],
            linestyle=_STYLES[(index // len(_LINE_COLOURS)) % len(_STYLES)],
            marker=_MARKERS[index % len(_MARKERS)],
            markersize=10,
            linewidth=3,
            label=label,
        )
    ax.set_xticks(xs, [str(label) for label in round_labels], fontsize=_TICK_PT)
    ax.set_xlim(-0.3, max(len(xs) - 0.7, 0.3))
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=_TICK_PT)
    ax.set_ylabel(axis_label, fontsize=_TICK_PT)
    ax.grid(axis="y", color="#dddddd")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(
        loc="lower left",
        bbox_to_anchor=(0.04, 0.1 / total_h),
        fontsize=_LEGEND_PT,
        frameon=False,
        ncols=1,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


__all__ = ["WIDTH_PX", "trend_chart_png"]
