"""Train the context head on the examples file and keep it beside it in config/. Run it after
the examples change (a test says when the kept head is out of date):

    python -m bot.crisis.train_context

It reads every example with the sentence model (a few minutes of one processor)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.crisis.context import ContextHead, train_head
from bot.crisis.encoder import SentenceEncoder
from bot.crisis.examples_file import digest, read_examples
from bot.crisis.learned import label_of

CONTEXT_HEAD_NAME = "crisis_context_head.npz"


def train(examples_path: Path, head_path: Path) -> ContextHead:
    """Train the head on the examples (as they are, without framed copies) and write it."""
    examples = read_examples(examples_path)
    head = train_head(
        [example.text for example in examples],
        [label_of(example) for example in examples],
        SentenceEncoder(),
        digest(examples_path.read_bytes()),
    )
    head.save(head_path)
    return head


def main() -> None:
    """Train and write the head, saying how long it took."""
    from bot.crisis import DEFAULT_RULES_PATH

    folder = DEFAULT_RULES_PATH.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=Path, default=folder / "crisis_examples.yaml")
    parser.add_argument("--out", type=Path, default=folder / CONTEXT_HEAD_NAME)
    args = parser.parse_args()
    started = time.perf_counter()
    head = train(args.examples, args.out)
    took = time.perf_counter() - started
    print(f"wrote {args.out} ({len(head.classes)} classes) in {took:.0f} s")


if __name__ == "__main__":
    main()
