"""The sentence model run with numpy (bot/crisis/encoder.py): it gives the meanings the
reference implementation gives, reads long text in bounded windows, and refuses weights it
has not checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.crisis.encoder import (
    READING,
    WINDOW,
    SentenceEncoder,
    meanings,
    model_folder,
    shared_encoder,
)

# (not a folder named data/: .gitignore keeps those out of the repository)
REFERENCE = Path(__file__).parent / "reference" / "minilm_meanings.npz"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared_encoder()


def test_meanings_match_sentence_transformers(encoder: SentenceEncoder) -> None:
    # The reference meanings were made by sentence-transformers 6.3 with PyTorch from the same
    # weights (it cuts a text at 256 word pieces, as our first window does).
    with np.load(REFERENCE) as data:
        texts = [str(text) for text in data["texts"]]
        expected = data["meanings"]
    one_by_one = meanings(np.array([encoder.windows(text)[0] for text in texts]))
    together = meanings(encoder.first_windows(texts))
    for got in (one_by_one, together):
        assert np.all(np.sum(got * expected, axis=1) > 0.99999)


def test_a_long_message_is_read_first_and_last(encoder: SentenceEncoder) -> None:
    story = "We met on Tuesday and it went well. " * 80
    short = meanings(encoder.windows("I am going to kill myself tonight."))
    long = meanings(encoder.windows(story + "I am going to kill myself tonight."))
    assert short.shape == (1, 384)
    assert long.shape == (2, 384)
    assert encoder.windows("We met on Tuesday.").shape == (1, READING)
    assert len(encoder.pieces(story * 10)) == 2
    assert all(len(window) <= WINDOW + 2 for window in encoder.pieces(story * 10))
    # the last window carries the crisis said at the end
    assert float(long[1] @ short[0]) > float(long[0] @ short[0])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_any_text_gives_finite_readings(encoder: SentenceEncoder, text: str) -> None:
    readings = encoder.windows(text)
    assert 1 <= len(readings) <= 2
    assert np.all(np.isfinite(readings))
    assert np.allclose(np.linalg.norm(meanings(readings), axis=1), 1.0, atol=1e-4)


def test_weights_other_than_the_checked_file_are_refused(tmp_path: Path) -> None:
    folder = model_folder()
    for name in ("tokenizer.json",):
        shutil.copy(folder / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(RuntimeError, match="not the checked model file"):
        SentenceEncoder(tmp_path)
