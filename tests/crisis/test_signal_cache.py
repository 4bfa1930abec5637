"""The learned signal kept between runs (bot/crisis/signal_cache.py): read back, it scores exactly
as trained; a damaged, foreign or stale file is never used; a folder that cannot be written
only means training again."""

from __future__ import annotations

import functools
import stat
from pathlib import Path

import pytest

from bot.crisis import learned, signal_cache
from bot.crisis.evaluation import EXAMPLES_PATH
from bot.crisis.examples_file import read_examples
from bot.crisis.learned import Example, LearnedSignal, trained_signal

TEXTS = [
    "",
    "i cant do this anymore, ive got the pills here",
    "see you all at the hub meeting on tuesday",
    "he said he'd kill me if i told anyone",
    "ѕuісіdе ｓｕｉｃｉｄｅ",
    "die " * 500,
]


@functools.cache
def few_examples() -> tuple[Example, ...]:
    """Thirty examples of each tier and kind: enough to train a real signal quickly."""
    taken: dict[tuple[str, str], int] = {}
    chosen = []
    for example in read_examples(EXAMPLES_PATH):
        label = (example.tier, example.kind)
        if taken.get(label, 0) < 30:
            taken[label] = taken.get(label, 0) + 1
            chosen.append(example)
    return tuple(chosen)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of the test's own, and no signal trained yet in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FORUM_BOT_CACHE", str(folder))
    monkeypatch.setattr(learned, "_trained", {})
    return folder


def test_a_kept_signal_scores_exactly_as_the_trained_one(cache: Path) -> None:
    trained = LearnedSignal(few_examples())
    signal_cache.save("digest-1", trained)

    restored = signal_cache.load("digest-1")

    assert restored is not None
    for text in TEXTS:
        assert restored.scores(text) == trained.scores(text)
    [kept] = cache.iterdir()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # owner-only
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


def test_a_second_start_reads_the_signal_instead_of_training(cache: Path) -> None:
    reads = []

    def examples() -> tuple[Example, ...]:
        reads.append(1)
        return few_examples()

    first = trained_signal("digest-2", examples)
    learned._trained.clear()  # as a new process would start
    second = trained_signal("digest-2", examples)

    assert reads == [1]  # read and trained once, then kept
    assert second is not first
    assert [second.scores(text) for text in TEXTS] == [first.scores(text) for text in TEXTS]


def test_other_examples_are_never_given_a_signal_kept_for_others(cache: Path) -> None:
    signal_cache.save("digest-3", LearnedSignal(few_examples()))

    assert signal_cache.load("another digest") is None
    assert signal_cache.path_for("digest-3") != signal_cache.path_for("another digest")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"not a numpy file at all" * 10,
        lambda data: data.replace(b"weights_0", b"weights_9"),
    ],
)
def test_a_damaged_file_is_not_used_and_the_signal_is_trained_again(cache: Path, damage) -> None:
    signal_cache.save("digest-4", LearnedSignal(few_examples()))
    path = signal_cache.path_for("digest-4")
    path.write_bytes(damage(path.read_bytes()))

    assert signal_cache.load("digest-4") is None
    signal = trained_signal("digest-4", few_examples)
    assert signal.scores(TEXTS[1]).crisis > 0  # trained again, and working


def test_a_cache_folder_that_cannot_be_made_only_means_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    monkeypatch.setenv("FORUM_BOT_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(learned, "_trained", {})

    signal = trained_signal("digest-5", few_examples)

    assert signal.scores(TEXTS[1]) == LearnedSignal(few_examples()).scores(TEXTS[1])
    assert signal_cache.load("digest-5") is None
