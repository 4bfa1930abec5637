"""The members-by-region chart: phone-sized PNGs, a members bar and a target bar per region."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.image import imread

from bot.results.members_chart import build_members_figure, members_chart_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORDS = {"title": "Members in each region and the target", "members_word": "Members"}
FIVE = [
    ("North West", 12, 40),
    ("North East", 0, 40),
    ("Midlands", 40, 40),
    ("South West", 55, 40),
    ("South East", 3, 40),
]


def _png(regions) -> bytes:
    return members_chart_png(regions, target_word="Target", **WORDS)


def _figure(regions):
    return build_members_figure(regions, target_word="Target", **WORDS)


def _decode(png: bytes):
    return imread(io.BytesIO(png), format="png")


def _texts(regions) -> list[str]:
    (ax,) = _figure(regions).axes
    return [t.get_text() for t in ax.texts]


def _bar_widths(regions) -> list[float]:
    (ax,) = _figure(regions).axes
    return [patch.get_width() for patch in ax.patches]


def test_png_is_phone_sized() -> None:
    png = _png([("North West", 12, 40)])
    assert png.startswith(PNG_SIGNATURE)
    image = _decode(png)
    assert image.shape[1] >= 1000


def test_five_regions_each_get_a_label_a_target_bar_and_a_members_bar() -> None:
    png = _png(FIVE)
    assert png.startswith(PNG_SIGNATURE)
    image = _decode(png)
    assert image.shape[1] >= 1000
    assert image.shape[0] > _decode(_png(FIVE[:1])).shape[0]
    texts = _texts(FIVE)
    for name, members, target in FIVE:
        assert name in texts
        assert f"{members} / {target}" in texts
    # Five target bars and a members bar for the four regions with members.
    widths = _bar_widths(FIVE)
    assert widths.count(40) == 5 + 1
    assert sorted(w for w in widths if w != 40) == [3, 12, 55]


def test_zero_members_draws_only_the_target_and_says_zero() -> None:
    regions = [("North East", 0, 40)]
    assert _bar_widths(regions) == [40]
    assert "0 / 40" in _texts(regions)
    assert _decode(_png(regions)).shape[1] >= 1000


def test_nobody_and_no_target_still_draws() -> None:
    regions = [("North East", 0, 0)]
    assert _bar_widths(regions) == []
    assert "0 / 0" in _texts(regions)
    assert _png(regions).startswith(PNG_SIGNATURE)


def test_a_region_over_target_gets_a_longer_bar_and_a_target_mark() -> None:
    regions = [("South West", 55, 40)]
    fig = _figure(regions)
    (ax,) = fig.axes
    assert sorted(p.get_width() for p in ax.patches) == [40, 55]
    assert [list(line.get_xdata()) for line in ax.lines] == [[40, 40]]
    assert "55 / 40" in [t.get_text() for t in ax.texts]
    _lo, hi = ax.get_xlim()
    assert hi > 55  # the longest bar and its number fit
    assert _png(regions).startswith(PNG_SIGNATURE)


def test_legend_and_title_use_the_words_passed_in() -> None:
    fig = build_members_figure(
        FIVE, title="Aelodau fesul rhanbarth", members_word="Aelodau", target_word="Targed"
    )
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["Aelodau", "Targed"]
    assert "Aelodau fesul rhanbarth" in [t.get_text() for t in fig.texts]


def test_emoji_and_long_names_draw_without_warnings() -> None:
    regions = [("🌟 " + "A very long region name that goes on " * 3, 7, 40)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = members_chart_png(
            regions, title="📊 Members", members_word="Members ✅", target_word="Target"
        )
    assert png.startswith(PNG_SIGNATURE)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        _png([("North West", -1, 40)])
