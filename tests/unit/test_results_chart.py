"""Result charts: phone-sized PNGs, no bar for a suppressed figure, any label drawn without fuss."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from matplotlib.image import imread

from bot.results.chart import bar_chart_png, build_figure
from bot.results.suppression import FEWER_THAN_5, HIDDEN, SHOWN, Figure

WORDS = {FEWER_THAN_5: "fewer than 5", HIDDEN: "hidden"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _decode(png: bytes):
    return imread(io.BytesIO(png), format="png")


def _bars(labels, figures) -> int:
    fig = build_figure(labels, figures, title="Question", status_words=WORDS)
    (ax,) = fig.axes
    return len(ax.patches)


def _texts(labels, figures) -> list[str]:
    fig = build_figure(labels, figures, title="Question", status_words=WORDS)
    (ax,) = fig.axes
    return [t.get_text() for t in ax.texts]


def test_png_is_phone_sized() -> None:
    png = bar_chart_png(
        ["Yes", "No"],
        [Figure(12, SHOWN), Figure(7, SHOWN)],
        title="Should hub meetings move to the evening?",
        status_words=WORDS,
    )
    assert png.startswith(PNG_SIGNATURE)
    image = _decode(png)
    assert image.shape[1] >= 1000


def test_suppressed_figure_draws_no_bar_and_writes_its_word() -> None:
    labels = ["Yes", "No", "Not sure"]
    shown = [Figure(12, SHOWN), Figure(7, SHOWN), Figure(6, SHOWN)]
    suppressed = [Figure(12, SHOWN), Figure(None, FEWER_THAN_5), Figure(None, HIDDEN)]
    assert _bars(labels, shown) == 3
    assert _bars(labels, suppressed) == 1
    texts = _texts(labels, suppressed)
    assert "fewer than 5" in texts
    assert "hidden" in texts
    assert "12" in texts
    a = bar_chart_png(labels, shown, title="Q", status_words=WORDS)
    b = bar_chart_png(labels, suppressed, title="Q", status_words=WORDS)
    assert a != b


def test_values_written_and_zero_draws_no_bar() -> None:
    texts = _texts(["Yes", "No"], [Figure(9, SHOWN), Figure(0, SHOWN)])
    assert "9" in texts
    assert "0" in texts
    assert _bars(["Yes", "No"], [Figure(9, SHOWN), Figure(0, SHOWN)]) == 1


@pytest.mark.parametrize("n", [2, 5, 10])
def test_two_to_ten_options(n: int) -> None:
    labels = [f"Option number {i} with quite a long description of what it means" for i in range(n)]
    figures = [Figure(i * 3, SHOWN) for i in range(n)]
    image = _decode(bar_chart_png(labels, figures, title="Q", status_words=WORDS))
    assert image.shape[1] >= 1000
    assert image.shape[0] > 100 * n  # taller for more options


def test_all_zero_and_all_suppressed() -> None:
    zero = bar_chart_png(
        ["Yes", "No"], [Figure(0, SHOWN), Figure(0, SHOWN)], title="Q", status_words=WORDS
    )
    hidden = bar_chart_png(
        ["Yes", "No"],
        [Figure(None, FEWER_THAN_5), Figure(None, HIDDEN)],
        title="Q",
        status_words=WORDS,
    )
    assert zero.startswith(PNG_SIGNATURE)
    assert hidden.startswith(PNG_SIGNATURE)


def test_unicode_emoji_and_dollar_labels_do_not_fail() -> None:
    """Run under -W error: a missing glyph or mathtext parse must not surface."""
    labels = [
        "Yes 👍🏽 definitely! 🏳️‍🌈",
        "Café, naïve, Zoë — £5 and $5 or $x^2$",
        "中文 ✊ عربى",
        "🙂",
        "Word" * 40,
    ]
    figures = [Figure(5, SHOWN), Figure(None, FEWER_THAN_5), Figure(8, SHOWN)]
    figures += [Figure(None, HIDDEN), Figure(20, SHOWN)]
    png = bar_chart_png(labels, figures, title="Your views 🗳️ $please$", status_words=WORDS)
    assert png.startswith(PNG_SIGNATURE)


def test_label_and_figure_counts_must_match() -> None:
    with pytest.raises(ValueError):
        bar_chart_png(["Yes"], [Figure(1, SHOWN), Figure(2, SHOWN)], title="Q", status_words=WORDS)


def test_charts_can_be_drawn_in_parallel_threads() -> None:
    def draw(i: int) -> bytes:
        return bar_chart_png(
            ["Yes", "No"], [Figure(i + 5, SHOWN), Figure(7, SHOWN)], title="Q", status_words=WORDS
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        pngs = list(pool.map(draw, range(8)))
    assert all(p.startswith(PNG_SIGNATURE) for p in pngs)
    assert len(set(pngs)) == 8
