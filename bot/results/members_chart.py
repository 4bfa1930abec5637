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

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.results.chart import DPI, WIDTH_PX, _drawable, _wrap

_LABEL_PT = 22
_TITLE_PT = 26
_VALUE_PT = 22
_LEGEND_PT = 20
_WRAP = 44
_TITLE_WRAP = 38
_LINE = 0.42  # inches per text line
_BAR = 0.62  # inches per bar
_GAP = 0.30  # inches between regions
_LEGEND_H = 0.7  # inches for the legend row
_BAR_COLOUR = "#1f5f8b"
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
    wrapped = [_wrap(_drawable(name), _WRAP) for name, _, _ in regions]
    title_text = _wrap(_drawable(title, "bold"), _TITLE_WRAP)
    title_lines = title_text.count("\n") + 1 if title_text else 0

    # Vertical layout in inches, top to bottom: title, legend, then each region's label and bar.
    heights = [(w.count("\n") + 1) * _LINE + _BAR + _GAP for w in wrapped]
    title_h = title_lines * 0.5 + 0.3 if title_text else 0.2
    body_h = sum(heights) + 0.2
    total_h = title_h + _LEGEND_H + body_h
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
    ax = fig.add_axes((0.04, 0.1 / total_h, 0.92, body_h / total_h - 0.1 / total_h))
    ax.set_axis_off()
    ax.set_ylim(body_h - 0.1, 0)  # y in inches from the top of the body
    top = max((max(m, t) for _, m, t in regions), default=0) or 1
    ax.set_xlim(0, top * 1.32)  # room for "12 / 40" after the longest bar
    pad = top * 0.015

    y = 0.0
    for text, (_name, members, target), height in zip(wrapped, regions, heights, strict=True):
        lines = text.count("\n") + 1
        ax.text(0, y, text, ha="left", va="top", fontsize=_LABEL_PT, parse_math=False)
        bar_y = y + lines * _LINE + _BAR / 2
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
        ax.text(
            end + pad,
            bar_y,
            f"{members} / {target}",
            ha="left",
            va="center",
            fontsize=_VALUE_PT,
            fontweight="bold",
            parse_math=False,
        )
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
        y += height
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
