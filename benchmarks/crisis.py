"""Crisis matching speed: every private message passes the crisis net first, so a long message
must be checked fast, and hostile shapes (near misses, filler runs) must not slow it much.

Reported as the time for an ordinary 4,096-character message and, for each hostile text, the
ratio of its time to that baseline measured in the same run; and how well the net does on the
locked part of the evaluation corpus (tests/crisis/corpus/locked.yaml), which nobody writing
rules reads: `crisis_recall` (crisis messages given the full crisis reply) and
`crisis_false_alarm_rate` (everyday messages given any reply).
"""

from __future__ import annotations

import time

from bot.crisis import CrisisMatcher, load_crisis_matcher
from bot.crisis.evaluation import CORPUS_DIR, evaluate, load_corpus
from config.settings import CONFIG_DIR

ORDINARY = ("I went to the shops and then met my friend for a coffee. " * 80)[:4096]
# A short message with words the learned signal listens for, so the sentence model reads it
# (bot/crisis/encoder.py): the common case where the signal's time shows.
SHORT = "not sure i can keep myself safe tonight"
HOSTILE = {
    "near misses": ("i do not want to be here any " * 150)[:4096],
    "repeated verb": ("kill so " * 600)[:4096],
    "two-letter words": ("a b " * 1100)[:4096],
    "one long word": "x" * 4096,
    "100,000 letters": "k" * 100_000,
    "filler": ("the " * 1100)[:4096],
    "almost a phrase": ("suicidalx " * 500)[:4096],
    "look-alike letters": ("ѕuісі ｓｕｉｃｉｄ 😢 " * 300)[:4096],
    "every family word": (
        "i want to die tonight pills rope bridge he hit me my kids cut blood bye " * 60
    )[:4096],
    "pronouns and times": ("i me my he she they tonight now today " * 120)[:4096],
    "phrase at the end": (
        ("Hiya, quick one about Tuesday's meeting: can I bring a friend? " * 70)[:4060]
        + " I want to die"
    ),
}


def best_seconds(matcher: CrisisMatcher, text: str, rounds: int = 3, checks: int = 5) -> float:
    """The best average time of several rounds of checks of one text."""
    matcher.check(text)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(checks):
            matcher.check(text)
        best = min(best, (time.perf_counter() - started) / checks)
    return best


def run_crisis() -> dict:
    """Time the shipped phrases and rules on ordinary and hostile texts, and score them on the
    locked part of the evaluation corpus."""
    matcher = load_crisis_matcher(
        CONFIG_DIR / "crisis_phrases.yaml", CONFIG_DIR / "crisis_rules.yaml"
    )
    baseline = best_seconds(matcher, ORDINARY)
    ratios = {name: best_seconds(matcher, text) / baseline for name, text in HOSTILE.items()}
    worst = max(ratios, key=ratios.get)
    short = best_seconds(matcher, SHORT)
    locked = evaluate(matcher, load_corpus(CORPUS_DIR / "locked.yaml"))
    return {
        "crisis_match_ms": round(baseline * 1000, 3),
        "crisis_short_ms": round(short * 1000, 3),
        "crisis_hostile_worst": worst,
        "crisis_hostile_ratio_max": round(ratios[worst], 2),
        "crisis_hostile_worst_ms": round(baseline * ratios[worst] * 1000, 3),
        "crisis_recall": round(locked.crisis_recall, 4),
        "crisis_false_alarm_rate": round(locked.false_alarm_rate, 4),
        "crisis_concern_recall": round(locked.concern_recall, 4),
        "crisis_kind_accuracy": round(locked.kind_accuracy, 4),
    }


if __name__ == "__main__":
    print(run_crisis())
