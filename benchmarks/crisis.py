"""Crisis matching speed: every private message passes the crisis net first, so a long message
must be checked fast, and hostile shapes (near misses, filler runs) must not slow it much.

Reported as the time for an ordinary 4,096-character message and, for each hostile text, the
ratio of its time to that baseline measured in the same run.
"""

from __future__ import annotations

import time

from bot.crisis import CrisisMatcher, load_crisis_matcher
from config.settings import CONFIG_DIR

ORDINARY = ("I went to the shops and then met my friend for a coffee. " * 80)[:4096]
HOSTILE = {
    "near misses": ("i do not want to be here any " * 150)[:4096],
    "repeated verb": ("kill so " * 600)[:4096],
    "two-letter words": ("a b " * 1100)[:4096],
    "one long word": "x" * 4096,
    "100,000 letters": "k" * 100_000,
    "filler": ("the " * 1100)[:4096],
    "almost a phrase": ("suicidalx " * 500)[:4096],
    "look-alike letters": ("ѕuісі ｓｕｉｃｉｄ 😢 " * 300)[:4096],
    "phrase at the end": (
        ("Hiya, quick one about Tuesday's meeting: can I bring a friend? " * 70)[:4060]
        + " I want to die"
    ),
}


def best_seconds(matcher: CrisisMatcher, text: str, rounds: int = 5, checks: int = 10) -> float:
    """The best average time of several rounds of checks of one text."""
    matcher.match(text)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(checks):
            matcher.match(text)
        best = min(best, (time.perf_counter() - started) / checks)
    return best


def run_crisis() -> dict:
    """Time the shipped phrase list on ordinary and hostile texts."""
    matcher = load_crisis_matcher(CONFIG_DIR / "crisis_phrases.yaml")
    baseline = best_seconds(matcher, ORDINARY)
    ratios = {name: best_seconds(matcher, text) / baseline for name, text in HOSTILE.items()}
    worst = max(ratios, key=ratios.get)
    return {
        "crisis_match_ms": round(baseline * 1000, 3),
        "crisis_hostile_worst": worst,
        "crisis_hostile_ratio_max": round(ratios[worst], 2),
    }


if __name__ == "__main__":
    print(run_crisis())
