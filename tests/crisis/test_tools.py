"""The development tools for the crisis corpus: merging new example batches checks every entry
and drops duplicates (tests/crisis/merge_examples.py), the cross-validation holds out whole
writers and reads each message's meaning once (tests/crisis/crossval.py), and the review scores
new batches before they are merged (tests/crisis/review.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.crisis.encoder import shared_encoder
from bot.crisis.evaluation import Labelled
from tests.crisis.crossval import Remembered, groups_of
from tests.crisis.merge_examples import entry_problem, folded
from tests.crisis.review import load_batches

SOURCES = {"w_test": "A citation long enough to name a real published source."}


def entry(**changes: object) -> dict[str, object]:
    """A good batch entry, with some fields changed."""
    good: dict[str, object] = {
        "text": "I want to die tonight",
        "tier": "crisis",
        "kind": "suicide",
        "source": "w_test",
        "writer": "W1",
    }
    return {**good, **changes}


def test_a_good_entry_passes() -> None:
    """Every tier with a kind that fits it is accepted."""
    assert entry_problem(entry(), SOURCES) is None
    assert entry_problem(entry(tier="concern", kind="distress"), SOURCES) is None
    assert entry_problem(entry(tier="none", kind="idiom"), SOURCES) is None


def test_wrong_entries_say_what_is_wrong() -> None:
    """Missing or extra fields, a kind that does not fit the tier, an uncited source."""
    assert "fields" in str(entry_problem({"text": "hi"}, SOURCES))
    assert "fields" in str(entry_problem(entry(extra=1), SOURCES))
    assert "no text" in str(entry_problem(entry(text="  "), SOURCES))
    assert "crisis kind" in str(entry_problem(entry(kind="idiom"), SOURCES))
    assert "distress" in str(entry_problem(entry(tier="concern", kind="suicide"), SOURCES))
    assert "everyday kind" in str(entry_problem(entry(tier="none", kind="suicide"), SOURCES))
    assert "tier" in str(entry_problem(entry(tier="maybe", kind="distress"), SOURCES))
    assert "not cited" in str(entry_problem(entry(source="w_other"), SOURCES))
    assert "writer" in str(entry_problem(entry(writer=""), SOURCES))
    assert "fields" in str(entry_problem("just a string", SOURCES))


def test_duplicates_are_compared_folded() -> None:
    """Case and spacing do not make a message new."""
    assert folded("  I want  to DIE\n") == folded("i want to die")
    assert folded("I want to die") != folded("I want to die.")


def test_cross_validation_holds_out_whole_writers() -> None:
    """By family, one helper's voices (W1, W2, W3) are one group; by writer each is its own;
    by source, a source's messages are never split between groups."""
    examples = [
        (Labelled(f"message {index}", "none", "life", f"s{index % 5}"), writer)
        for index, writer in enumerate(["a", "a", "W1", "W2", "W3", "g", "a", "W1"])
    ]
    assert groups_of(examples, "family") == ["a", "a", "W", "W", "W", "g", "a", "W"]
    assert groups_of(examples, "writer") == ["a", "a", "W1", "W2", "W3", "g", "a", "W1"]
    by_source: dict[str, set[str]] = {}
    for (message, _), group in zip(examples, groups_of(examples, "source"), strict=True):
        by_source.setdefault(message.source, set()).add(group)
    assert all(len(groups) == 1 for groups in by_source.values())


def test_new_batches_can_be_scored_before_they_are_merged(tmp_path: Path) -> None:
    """`review --batch` reads a new writer's batch file as merge_examples does (`examples:`),
    so the net can be scored on voices no part of it has seen."""
    batch = tmp_path / "batch_01.yaml"
    batch.write_text(
        "sources:\n  t_everyday: written for a test\nexamples:\n"
        "- {text: see you all at the meeting, tier: none, kind: forum, source: t_everyday,"
        " writer: T1}\n"
        "- {text: i have taken all my tablets, tier: crisis, kind: overdose,"
        " source: t_everyday, writer: T1}\n",
        encoding="utf-8",
    )
    messages = load_batches([batch])
    assert [(m.tier, m.kind) for m in messages] == [("none", "forum"), ("crisis", "overdose")]
    assert messages[1].text == "i have taken all my tablets"


def test_the_cross_validation_reads_each_meaning_once_and_the_same() -> None:
    """Remembered gives the meanings the sentence model gives, read in batches up front, and
    reads a text it was not given (or one too long for one window) as the model does."""
    encoder = shared_encoder()
    known = ["I want to die tonight", "Are we still on for the hub on Tuesday?"]
    remembered = Remembered(encoder, known)
    for text in [*known, "a text it was not given", "word " * 600]:
        got, want = remembered.windows(text), encoder.windows(text)
        assert got.shape == want.shape
        assert np.allclose(got, want, atol=1e-5)
