"""For people writing crisis rules: `python -m tests.crisis.review` scores the net on the
development part of the corpus (config/crisis_examples.yaml, which the learned signal is also
trained on, so its figure there is optimistic) and lists what it missed and where it answered
everyday talk.
`--locked` prints the locked part's figures only, never its messages: rules are not written
from it."""

from __future__ import annotations

import argparse
import json

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, load_crisis_matcher
from bot.crisis.evaluation import CORPUS_DIR, EXAMPLES_PATH, evaluate, load_corpus, summary


def main() -> None:
    """Score one part; for the development part, list the misses and false alarms."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locked", action="store_true", help="the locked part: figures only")
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args()
    matcher = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)
    part = "locked" if args.locked else "dev"
    path = CORPUS_DIR / "locked.yaml" if args.locked else EXAMPLES_PATH
    messages = load_corpus(path)
    print(json.dumps({"part": part, **summary(evaluate(matcher, messages))}, indent=1))
    if args.locked or args.quiet:
        return
    for message in messages:
        verdict = matcher.check(message.text)
        hits = [hit.name for hit in matcher.hits(message.text)]
        if message.tier == "crisis" and (verdict is None or not verdict.is_crisis):
            got = verdict.tier if verdict else "-"
            print(f"MISS  {message.kind:16} got {got:8} {message.text!r}")
        elif message.tier == "concern" and verdict is None:
            print(f"MISS  {message.kind:16} got -        {message.text!r}")
        elif message.tier == "none" and verdict is not None:
            print(f"ALARM {message.kind:16} {verdict.tier:8} {hits} {message.text!r}")
        elif message.tier == "crisis" and verdict and message.kind not in verdict.kinds:
            print(f"KIND  {message.kind:16} got {','.join(verdict.kinds):20} {message.text!r}")


if __name__ == "__main__":
    main()
