"""The context head (bot/crisis/context.py) and its blend with the words signal
(bot/crisis/blended.py): the kept head is the one the examples train, it is read back exactly,
the rules file asks for it strictly, and the blend hears a crisis as a whole message."""

from __future__ import annotations

import logging
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, CrisisMatcher, load_crisis_matcher
from bot.crisis.blended import BlendedSignal
from bot.crisis.context import ContextHead
from bot.crisis.evaluation import load_corpus
from bot.crisis.examples_file import context_head, digest
from bot.crisis.kinds import CRISIS_KINDS, verdict_of
from bot.crisis.matcher import learned_hits
from bot.crisis.train_context import CONTEXT_HEAD_NAME
from config.errors import ConfigError

CONFIG = DEFAULT_RULES_PATH.parent
HEAD_PATH = CONFIG / CONTEXT_HEAD_NAME
EXAMPLES_PATH = CONFIG / "crisis_examples.yaml"


def test_the_kept_head_was_trained_on_todays_examples() -> None:
    head = ContextHead.load(HEAD_PATH)
    assert head.examples_digest == digest(EXAMPLES_PATH.read_bytes()), (
        "config/crisis_examples.yaml changed: run `python -m bot.crisis.train_context`"
    )


def test_a_head_is_read_back_exactly(tmp_path: Path) -> None:
    head = ContextHead.load(HEAD_PATH)
    head.save(tmp_path / "head.npz")
    again = ContextHead.load(tmp_path / "head.npz")
    assert again.classes == head.classes
    assert again.examples_digest == head.examples_digest
    meanings = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    assert np.array_equal(again.probabilities(meanings), head.probabilities(meanings))
    assert np.allclose(head.probabilities(meanings).sum(axis=1), 1.0)


def test_a_stale_head_is_used_with_a_warning_and_a_broken_one_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        head = context_head(HEAD_PATH, "another digest")
    assert head.classes
    assert "train_context" in caplog.text
    broken = tmp_path / "head.npz"
    broken.write_bytes(b"not a head")
    with pytest.raises(ConfigError, match="train_context"):
        context_head(broken, "x")


def test_the_shipped_net_blends_the_context_head(shipped_net: CrisisMatcher) -> None:
    assert shipped_net.learned is not None
    signal = shipped_net.learned.signal
    assert isinstance(signal, BlendedSignal)
    assert tuple(signal.words.classes) == ContextHead.load(HEAD_PATH).classes
    assert set(CRISIS_KINDS) <= set(signal.words.classes)


def test_skipping_the_sentence_model_never_changes_a_verdict(shipped_net: CrisisMatcher) -> None:
    # Below the lowest threshold the blend may give a bound instead of reading the message
    # whole; every verdict must be the one the exact scores give.
    learned = shipped_net.learned
    assert learned is not None
    messages = load_corpus(EXAMPLES_PATH)
    sample = random.Random(13).sample(messages, 400)
    skipped = 0
    for message in sample:
        found, room, heard = shipped_net.listed_hits(message.text)
        if room is None:
            continue
        exact = learned.signal.scores(heard)
        quick = learned.signal.scores(heard, at_least=learned.crisis_from)
        skipped += quick != exact
        want = verdict_of(
            {hit.kind for hit in [*found, *learned_hits(learned, exact, found, room)]}
        )
        assert shipped_net.check(message.text) == want, message.text
    assert skipped > 0  # the shortcut is taken, so this test tries it


def test_a_head_of_other_classes_is_refused_with_the_command(tmp_path: Path) -> None:
    for name in ("crisis_rules.yaml", "crisis_examples.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    head = ContextHead.load(HEAD_PATH)
    other = ContextHead(head.classes[::-1], head.weights, head.biases, head.examples_digest)
    other.save(tmp_path / CONTEXT_HEAD_NAME)
    with pytest.raises(ConfigError, match="train_context"):
        load_crisis_matcher(DEFAULT_PHRASES_PATH, tmp_path / "crisis_rules.yaml")
