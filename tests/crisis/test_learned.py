"""The learned signal's fast scoring (bot/crisis/learned.py, `scores`: the fitted weights
summed by hand, one message at a time) gives what scikit-learn's own pipeline gives
(`scores_by_pipeline`), on every example it learns from and on hostile text, so an upgrade of
scikit-learn that changes how the features are made cannot silently change the safety net. A
signal read back from numbers kept by an earlier run scores exactly as the one kept
(tests/crisis/test_signal_cache.py)."""

from __future__ import annotations

import functools

from bot.crisis.evaluation import EXAMPLES_PATH, load_corpus
from bot.crisis.examples_file import read_examples
from bot.crisis.learned import LearnedSignal

# Both are sums of the same floating-point numbers, in another order.
TOLERANCE = 1e-9

HOSTILE = [
    "",
    " ",
    "\n\t\r",
    "a",
    ".",
    "I WANT TO DIE",
    "i want to die",
    "qzxv wqpk zzkq",  # no word or letters the signal knows
    "30 30 30 30 pills",
    "😢😢😢 💊💊",
    "\u200b\u200d\u2060\ufeff",
    "\x00\x01\x7f",
    "e\u0301" * 50,
    "ѕuісіdе ｓｕｉｃｉｄｅ",
    "مرحبا אני רוצה 死にたい",
    "\ud800 lone surrogate",
    "<b>&amp; kill</b> me",
    "die " * 1000,
    ("I went to the shops and then met my friend for a coffee. " * 80)[:4096],
    "k" * 100_000,
]


@functools.cache
def trained() -> LearnedSignal:
    """The shipped examples' signal trained here and now, with scikit-learn's pipeline to
    compare its fast scores with. (Compared with a signal trained by another process, the
    numbers may differ in the fifth place: training stops within a tolerance, and how many
    threads did the sums changes the last digits. tests/crisis/test_signal_cache.py checks a
    kept signal scores exactly as the one it was kept from.)"""
    return LearnedSignal(read_examples(EXAMPLES_PATH))


def _disagreements(texts: list[str]) -> list[str]:
    """Where the fast scores and the pipeline's differ (by position, never the text)."""
    found = []
    slow_scores = trained().scores_by_pipeline(texts)
    for index, (text, slow) in enumerate(zip(texts, slow_scores, strict=True)):
        fast = trained().scores(text)
        crisis_gap = abs(fast.crisis - slow.crisis)
        concern_gap = abs(fast.concern - slow.concern)
        kinds, slow_kinds = (fast.kind, *fast.also), (slow.kind, *slow.also)
        if crisis_gap > TOLERANCE or concern_gap > TOLERANCE or kinds != slow_kinds:
            found.append(
                f"#{index}: crisis {fast.crisis!r} vs {slow.crisis!r}, concern "
                f"{fast.concern!r} vs {slow.concern!r}, kinds {kinds} vs {slow_kinds}"
            )
    return found


def test_fast_scores_equal_the_pipeline_on_every_example() -> None:
    """On every message of config/crisis_examples.yaml (what it learns from)."""
    texts = [message.text for message in load_corpus(EXAMPLES_PATH)]
    assert len(texts) > 1000
    wrong = _disagreements(texts)
    assert wrong == [], f"{len(wrong)} of {len(texts)} examples differ: {wrong[:5]}"


def test_fast_scores_equal_the_pipeline_on_hostile_text() -> None:
    """On empty, unknown, look-alike, enormous and malformed text."""
    assert _disagreements(HOSTILE) == []
