"""Train the context head on the examples file and keep it beside it in config/. Run it after
the examples change (a test says when the kept head is out of date):

    python -m bot.crisis.train_context

It reads every example, and the framed copies the words signal also learns from, with the
sentence model (a few minutes of two processors)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from bot.crisis.context import ContextHead, train_head
from bot.crisis.encoder import SentenceEncoder
from bot.crisis.examples_file import digest, read_examples
from bot.crisis.framing import framing_check, framing_sentences, with_framings
from bot.crisis.learned import label_of
from bot.crisis.rules_file import LEARNED, read_rules
from config.yamlfile import read_yaml

CONTEXT_HEAD_NAME = "crisis_context_head.npz"


def says_nothing_of(rules_path: Path) -> Callable[[str], bool]:
    """The rules file's test of a framing sentence, as the words signal uses it: no word of a
    family the signal needs or of a story told (bot/crisis/framing.py)."""
    families, _, guards = read_rules(rules_path)
    section = read_yaml(rules_path).get(LEARNED) or {}
    needs = {str(name) for name in section.get("needs_one_of") or []}
    return framing_check(families, needs | guards)


def train(examples_path: Path, head_path: Path, rules_path: Path) -> ContextHead:
    """Train the head on the examples and their framed copies, as the words signal is
    trained (without them, forum business said beside a crisis made the head less sure of
    it, and an apology beside everyday talk more), and write it."""
    examples = read_examples(examples_path)
    framed = with_framings(examples, framing_sentences(examples, says_nothing_of(rules_path)))
    head = train_head(
        [example.text for example in framed],
        [label_of(example) for example in framed],
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
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES_PATH)
    parser.add_argument("--out", type=Path, default=folder / CONTEXT_HEAD_NAME)
    args = parser.parse_args()
    started = time.perf_counter()
    head = train(args.examples, args.out, args.rules)
    took = time.perf_counter() - started
    print(f"wrote {args.out} ({len(head.classes)} classes) in {took:.0f} s")


if __name__ == "__main__":
    main()
