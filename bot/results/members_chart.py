"""A horizontal bar chart of members by region against each region's target, as PNG.

For coordinators only, so exact counts are drawn. Like `bot.results.chart`, it uses matplotlib's
object API with the Agg canvas (no pyplot, no global figure state), so it can be drawn in a worker
thread: callers run `members_chart_png` via `asyncio.to_thread`. Every word on the chart is passed
in by the caller (from the text catalogue). Each region gets a pale bar for its target with the
members bar drawn over it, and both numbers written at the bar ends.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.results.chart import (
    _BAR,
    _BAR_COLOUR,
    DPI,
    _drawable,
    body_axes,
    labelled_rows,
    layout,
    titled_figure,
    value_text,
)

_LEGEND_PT = 20
_LEGEND_H = 0.7  # inches for the legend row
_TARGET_COLOUR = "#c9dcea"
_TARGET_EDGE = "#1f5f8b"
_MARK_COLOUR = "white"  # the target line drawn across a members bar


def build_members_figure(
    regions: Sequence[tuple[str, int, int]],
    *,
    title: str,
    members_word: str,
    target_word: str,
) -> MplFigure:
    """Build the chart as a matplotlib Figure (not yet rendered)."""
    for _name, members, target in regions:
        if members < 0 or target < 0:
            raise ValueError("counts and targets cannot be negative")
    # Vertical layout in inches, top to bottom: title, legend, then each region's label and bar.
    title_text, wrapped, heights = layout(title, [name for name, _, _ in regions])
    title_h = (title_text.count("\n") + 1) * 0.5 + 0.3 if title_text else 0.2
    body_h = sum(heights) + 0.2
    total_h = title_h + _LEGEND_H + body_h
    fig = titled_figure(title_text, total_h)
    fig.legend(
        handles=[
            Patch(facecolor=_BAR_COLOUR, label=_drawable(members_word)),
            Patch(
                facecolor=_TARGET_COLOUR,
                edgecolor=_TARGET_EDGE,
                linestyle="--",
                label=_drawable(target_word),
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(0.03, 1 - title_h / total_h),
        ncols=2,
        frameon=False,
        fontsize=_LEGEND_PT,
        handlelength=1.4,
    )
    top = max((max(m, t) for _, m, t in regions), default=0) or 1
    ax = body_axes(fig, total_h, body_h, top * 1.32)  # room for "12 / 40" after the longest bar
    pad = top * 0.015
    for (_name, members, target), bar_y in zip(
        regions, labelled_rows(ax, wrapped, heights), strict=True
    ):
        if target > 0:
            ax.barh(
                bar_y,
                target,
                height=_BAR * 0.9,
                color=_TARGET_COLOUR,
                edgecolor=_TARGET_EDGE,
                linestyle="--",
                linewidth=1.5,
            )
        if members > 0:
            ax.barh(bar_y, members, height=_BAR * 0.6, color=_BAR_COLOUR)
        end = max(members, target)
        value_text(ax, end + pad, bar_y, f"{members} / {target}", fontweight="bold")
        if members > target and target > 0:
            # Over target: mark where the target was reached on top of the members bar.
            ax.add_line(
                Line2D(
                    [target, target],
                    [bar_y - _BAR * 0.45, bar_y + _BAR * 0.45],
                    color=_MARK_COLOUR,
                    linestyle="--",
                    linewidth=3,
                )
            )
    return fig


def members_chart_png(
    regions: Sequence[tuple[str, int, int]],
    *,
    title: str,
    members_word: str,
    target_word: str,
) -> bytes:
    """Draw members by region (name, members, target) against the targets; return PNG bytes."""
    fig = build_members_figure(
        regions, title=title, members_word=members_word, target_word=target_word
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
