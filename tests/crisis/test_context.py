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
from bot.crisis.context import ContextHead, fit_head
from bot.crisis.encoder import READING
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
    readings = np.random.default_rng(0).normal(size=(3, READING)).astype(np.float32)
    assert np.array_equal(again.probabilities(readings), head.probabilities(readings))
    assert np.allclose(head.probabilities(readings).sum(axis=1), 1.0)


def test_a_head_learns_the_same_whatever_the_scale_of_each_number() -> None:
    # The layers' outputs differ in scale; the fit standardises each number and folds that
    # into the first layer, so a head of numbers a thousand times larger says the same.
    rng = np.random.default_rng(3)
    readings = rng.normal(size=(3000, 6))
    labels = [_label(row) for row in readings]
    scale = np.array([1000.0, 1.0, 0.001, 50.0, 1.0, 7.0])
    plain = fit_head(readings, labels, examples_digest="")
    scaled = fit_head(readings * scale, labels, examples_digest="")
    fresh = rng.normal(size=(50, 6))
    assert np.allclose(
        plain.probabilities(fresh.astype(np.float32)),
        scaled.probabilities((fresh * scale).astype(np.float32)),
        atol=0.01,
    )
    right = plain.probabilities(fresh.astype(np.float32)).argmax(axis=1)
    want = [plain.classes.index(_label(row)) for row in fresh]
    assert np.mean(right == np.array(want)) > 0.85


def _label(row: np.ndarray) -> str:
    """Three classes (as the real head has more than two) told by two of six numbers."""
    sign = row[0] + row[3]
    return "crisis" if sign > 0.5 else "none" if sign < -0.5 else "distress"


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
        lowest = min(learned.crisis_from, learned.concern_from, learned.crisis_anywhere_from)
        quick = learned.signal.scores(heard, at_least=lowest)
        skipped += quick != exact
        want = verdict_of(
            {hit.kind for hit in [*found, *learned_hits(learned, exact, found, room)]}
        )
        assert shipped_net.check(message.text) == want, message.text
    assert skipped > 0  # the shortcut is taken, so this test tries it


@pytest.mark.parametrize("change", ["classes", "reading"])
def test_a_head_of_other_classes_or_readings_is_refused_with_the_command(
    tmp_path: Path, change: str
) -> None:
    for name in ("crisis_rules.yaml", "crisis_examples.yaml"):
        shutil.copy(CONFIG / name, tmp_path / name)
    head = ContextHead.load(HEAD_PATH)
    if change == "classes":
        other = ContextHead(head.classes[::-1], head.weights, head.biases, head.examples_digest)
    else:  # a head trained before session 14 read the last layer alone: 384 numbers
        first = head.weights[0][-384:]
        other = ContextHead(head.classes, (first, *head.weights[1:]), head.biases, "")
    other.save(tmp_path / CONTEXT_HEAD_NAME)
    with pytest.raises(ConfigError, match="train_context"):
        load_crisis_matcher(DEFAULT_PHRASES_PATH, tmp_path / "crisis_rules.yaml")
