"""The context head: a small neural network over sentence readings (bot/crisis/encoder.py) that
gives each tier and crisis kind a probability. It is trained once by `python -m
bot.crisis.train_context` and kept in config/ with the digest of the examples it learned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.crisis.encoder import SentenceEncoder

# Chosen by cross-validation with each writer held out (the session 13 note): one hidden layer
# of 256, a light weight penalty, and a tenth of the examples kept aside to stop in time.
HIDDEN = 256
PENALTY = 1e-3
SEED = 0
_STEADY = 1e-6  # added to each spread, so a number that never changes is not divided by 0


@dataclass(frozen=True)
class ContextHead:
    """The fitted network: its classes (sorted labels), layers and the examples' digest."""

    classes: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    examples_digest: str

    def probabilities(self, readings: np.ndarray) -> np.ndarray:
        """Each class's probability for each row of readings (rows: windows or messages)."""
        x = readings
        for weight, bias in zip(self.weights[:-1], self.biases[:-1], strict=True):
            x = np.maximum(x @ weight + bias, 0.0)
        logits = x @ self.weights[-1] + self.biases[-1]
        logits = np.exp(logits - logits.max(axis=1, keepdims=True))
        return logits / logits.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """Write the head as plain arrays (no pickled code)."""
        arrays = {f"weight{index}": weight for index, weight in enumerate(self.weights)}
        arrays |= {f"bias{index}": bias for index, bias in enumerate(self.biases)}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                classes=np.array(self.classes),
                examples_digest=np.array(self.examples_digest),
                **arrays,
            )

    @classmethod
    def load(cls, path: Path) -> ContextHead:
        """Read a head written by save."""
        with np.load(path, allow_pickle=False) as data:
            layers = sum(1 for name in data.files if name.startswith("weight"))
            return cls(
                classes=tuple(str(name) for name in data["classes"]),
                weights=tuple(data[f"weight{index}"].astype(np.float32) for index in range(layers)),
                biases=tuple(data[f"bias{index}"].astype(np.float32) for index in range(layers)),
                examples_digest=str(data["examples_digest"]),
            )


def train_head(
    texts: Sequence[str], labels: Sequence[str], encoder: SentenceEncoder, examples_digest: str
) -> ContextHead:
    """Fit the network on the examples' readings (deterministic for the same examples)."""
    return fit_head(encoder.first_windows(texts), labels, examples_digest)


def fit_head(readings: np.ndarray, labels: Sequence[str], examples_digest: str) -> ContextHead:
    """Fit the network on readings already made (one row per example). Each number is
    standardised for the fit (the layers' outputs differ in scale); the standardisation is
    then folded into the first layer, so the kept head reads readings as they come."""
    from sklearn.neural_network import MLPClassifier  # only training needs it

    network = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        alpha=PENALTY,
        max_iter=200,
        early_stopping=True,
        random_state=SEED,
    )
    readings = np.asarray(readings, dtype=np.float64)
    centre = readings.mean(axis=0)
    spread = readings.std(axis=0) + _STEADY
    network.fit((readings - centre) / spread, list(labels))
    weights = list(network.coefs_)
    biases = list(network.intercepts_)
    biases[0] = biases[0] - (centre / spread) @ weights[0]
    weights[0] = weights[0] / spread[:, None]
    return ContextHead(
        classes=tuple(str(name) for name in network.classes_),
        weights=tuple(np.asarray(weight, dtype=np.float32) for weight in weights),
        biases=tuple(np.asarray(bias, dtype=np.float32) for bias in biases),
        examples_digest=examples_digest,
    )
