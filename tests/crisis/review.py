"""For people writing crisis rules: `python -m tests.crisis.review` scores the net on the
development part of the corpus (config/crisis_examples.yaml, which the learned signal is also
trained on, so its figure there is optimistic) and lists what it missed and where it answered
everyday talk.
`--locked` prints the locked part's figures only, never its messages: rules are not written
from it. `--batch FILE ...` scores new writers' batches (the format merge_examples reads) before
they are merged: how the net does on voices no part of it has seen."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, load_crisis_matcher
from bot.crisis.evaluation import (
    CORPUS_DIR,
    EXAMPLES_PATH,
    Labelled,
    evaluate,
    load_corpus,
    summary,
)
from config.yamlfile import read_yaml


def load_batches(paths: list[Path]) -> list[Labelled]:
    """The messages of new writers' batch files (`examples:` or `messages:` entries)."""
    found = []
    for path in paths:
        data = read_yaml(path)
        entries = data.get("examples") or data.get("messages") or []
        found += [Labelled(str(e["text"]), e["tier"], e["kind"], e["source"]) for e in entries]
    return found


def main() -> None:
    """Score one part; for the development part, list the misses and false alarms."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--locked", action="store_true", help="the locked part: figures only")
    parser.add_argument("--quiet", action="store_true", help="figures only")
    parser.add_argument("--batch", nargs="+", type=Path, help="new writers' batch files")
    args = parser.parse_args()
    matcher = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)
    part = "locked" if args.locked else "batch" if args.batch else "dev"
    if args.batch:
        messages = load_batches(args.batch)
    else:
        messages = load_corpus(CORPUS_DIR / "locked.yaml" if args.locked else EXAMPLES_PATH)
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
