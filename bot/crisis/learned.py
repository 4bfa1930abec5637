"""The learned signal: a classifier trained at start-up on the examples file
(config/crisis_examples.yaml), which hears crisis in wordings no phrase or rule lists. It gives
each tier and kind a probability; the matcher answers when they pass the thresholds set in the
rules file. Training is deterministic and takes several seconds; a trained model is shared by
every matcher built from the same examples in one process, and its fitted numbers are kept
between runs (bot/crisis/signal_cache.py)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.crisis.kinds import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, NONE

# The classifier's settings, chosen by cross-validation on the examples (not the locked part):
# `python -m tests.crisis.crossval` holds each writer out in turn.
_C = 10.0
# A run of letters counts only if at least this many examples have it, a word or word pair
# at least _MIN_EXAMPLES_WORDS: half the features of counting every one, a quarter less
# training time at start-up, and the same figures when each writer is held out.
_MIN_EXAMPLES = 3
# A second crisis kind at least this share as likely as the likeliest is named too.
CLOSE_KIND = 0.5
_MIN_EXAMPLES_WORDS = 2
_MAX_ITERATIONS = 200
# Newton's method reaches the same fit as the default solver in a third of the time here
# (about two seconds of one processor for 6,400 examples, three to five for 9,700 on a shared
# machine), which keeps start-up quick.
_SOLVER = "newton-cg"
_TOLERANCE = 1e-4


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message to learn from."""

    text: str
    tier: str  # crisis, concern or none
    kind: str


@dataclass(frozen=True, slots=True)
class Scores:
    """How likely a message is each tier, and its most likely crisis kind. Never the text."""

    crisis: float
    concern: float
    kind: str
    # other crisis kinds nearly as likely (at least CLOSE_KIND of the likeliest one's
    # probability), most likely first: the reply puts their first steps in too
    also: tuple[str, ...] = ()


class Signal(Protocol):
    """What scores a message: the words signal, or it blended with the context head
    (bot/crisis/blended.py)."""

    def scores(self, text: str, at_least: float = 0.0) -> Scores:
        """The probability of a crisis, of distress, and the likeliest crisis kinds. Where
        neither a crisis nor crisis and distress together can reach ``at_least``, a signal may
        give a bound below it instead (bot/crisis/blended.py): nothing acts on such scores."""
        ...


@dataclass(frozen=True, slots=True)
class Part:
    """One vectorizer's fitted numbers: its vocabulary (term to column), the terms' weights
    across the examples (idf), and the classifier's weights for its columns."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray


def vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The two ways a message is read: runs of letters within words, and words and word pairs
    (unfitted; training fits them, and a restored signal only needs their analyzers)."""
    return (
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=_MIN_EXAMPLES
        ),
        TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=_MIN_EXAMPLES_WORDS
        ),
    )


class LearnedCheck:
    """What a set of examples needs before a signal can be trained on it."""

    @staticmethod
    def enough(examples: Sequence[Example]) -> None:
        """ValueError naming the tiers or kinds that have no examples at all."""
        missing = {NONE, DISTRESS, *CRISIS_KINDS} - {label_of(example) for example in examples}
        if missing:
            raise ValueError(
                "there are no examples of "
                + ", ".join(sorted(missing))
                + "; add some (every kind needs examples to be learned)"
            )


class LearnedSignal:
    """A trained classifier over characters and words: crisis kinds, distress, or none."""

    def __init__(self, examples: Sequence[Example]) -> None:
        """Train on the examples (every crisis kind, distress and everyday talk)."""
        LearnedCheck.enough(examples)
        labels = [label_of(example) for example in examples]
        self._model: Pipeline | None = Pipeline(
            [
                ("features", make_union(*vectorizers())),
                (
                    "classifier",
                    LogisticRegression(
                        C=_C,
                        max_iter=_MAX_ITERATIONS,
                        class_weight="balanced",
                        solver=_SOLVER,
                        tol=_TOLERANCE,
                    ),
                ),
            ]
        )
        self._model.fit([example.text for example in examples], labels)
        # For one message at a time, the same sums are done directly with the fitted parts
        # (each vectorizer's words, vocabulary and weights, then the classifier's): the
        # pipeline's own checks cost ten times the sums. tests/crisis/test_learned.py
        # checks they agree on every example and on hostile text.
        classifier = self._model.named_steps["classifier"]
        weights = classifier.coef_.T
        parts = []
        offset = 0
        for _, vectorizer in self._model.named_steps["features"].transformer_list:
            size = len(vectorizer.vocabulary_)
            parts.append(
                Part(vectorizer.vocabulary_, vectorizer.idf_, weights[offset : offset + size])
            )
            offset += size
        self._use(list(self._model.classes_), classifier.intercept_.copy(), parts)

    @classmethod
    def restored(
        cls, classes: list[str], intercept: np.ndarray, parts: list[Part]
    ) -> LearnedSignal:
        """A signal from the fitted numbers of one trained before (bot/crisis/signal_cache.py),
        without scikit-learn's pipeline: `scores` only."""
        signal = cls.__new__(cls)
        signal._model = None
        signal._use(classes, intercept, parts)
        return signal

    def _use(self, classes: list[str], intercept: np.ndarray, parts: list[Part]) -> None:
        """Keep what scoring needs: the classes, the intercept, and each vectorizer's part."""
        self.classes = classes
        self.intercept = intercept
        self.parts = parts
        self.crisis_columns = [classes.index(kind) for kind in CRISIS_KINDS]
        self._distress = classes.index(DISTRESS)
        self._parts = [
            (vectorizer.build_analyzer(), part.vocabulary, part.idf, part.weights)
            for vectorizer, part in zip(vectorizers(), parts, strict=True)
        ]

    def scores_by_pipeline(self, texts: Sequence[str]) -> list[Scores]:
        """The same scores as `scores`, for many texts in one pass of scikit-learn's own
        pipeline (for the tests). A restored signal has none."""
        if self._model is None:
            raise ValueError("a restored signal has no pipeline; train one to compare")
        rows = self._model.predict_proba(list(texts))
        return [_scores(row[self.crisis_columns], float(row[self._distress])) for row in rows]

    def scores(self, text: str, at_least: float = 0.0) -> Scores:
        """The probability of a crisis (any kind), of distress, and the likeliest crisis kinds
        (always exact: ``at_least`` is for signals that can save work below it)."""
        return self.scores_of(self.probabilities(text))

    def scores_of(self, row: np.ndarray) -> Scores:
        """The scores from one probability per class (in self.classes order)."""
        return _scores(row[self.crisis_columns], float(row[self._distress]))

    def probabilities(self, text: str) -> np.ndarray:
        """Each class's probability (in self.classes order)."""
        logits = self.intercept.copy()
        for analyzer, vocabulary, idf, weights in self._parts:
            counts = Counter(analyzer(text))  # type: ignore[operator]
            found = [
                (vocabulary[term], count) for term, count in counts.items() if term in vocabulary
            ]
            if not found:
                continue
            columns = np.fromiter((column for column, _ in found), dtype=np.int64)
            values = (1.0 + np.log([count for _, count in found])) * idf[columns]
            values /= np.sqrt(values @ values)
            logits += values @ weights[columns]
        row = np.exp(logits - logits.max())
        return row / row.sum()


def _scores(crisis: np.ndarray, concern: float) -> Scores:
    """The scores from the probabilities of each crisis kind (in CRISIS_KINDS order) and of
    distress."""
    order = np.argsort(-crisis, kind="stable")
    top = crisis[order[0]]
    return Scores(
        crisis=float(crisis.sum()),
        concern=concern,
        kind=CRISIS_KINDS[int(order[0])],
        also=tuple(CRISIS_KINDS[int(i)] for i in order[1:] if crisis[i] >= CLOSE_KIND * top),
    )


def label_of(example: Example) -> str:
    """The class an example teaches: its crisis kind, distress, or none."""
    if example.tier == CRISIS:
        return example.kind
    return DISTRESS if example.tier == CONCERN else NONE


_trained: dict[str, LearnedSignal] = {}
_lock = threading.Lock()


def trained_signal(key: str, examples: Callable[[], Sequence[Example]]) -> LearnedSignal:
    """The signal trained on these examples, trained once per process for the same key (a
    digest of the examples file's contents and of the families that choose its framing
    sentences: every test bot and the sandbox share it), and kept
    between runs by bot/crisis/signal_cache.py, so a start with the same examples, code and
    library versions reads the fitted numbers instead of training again. ``examples`` reads
    and checks the file; it is only called when training is needed."""
    from bot.crisis import signal_cache  # it needs this module's records

    with _lock:
        signal = _trained.get(key)
        if signal is None:
            signal = signal_cache.load(key)
            if signal is None:
                signal = LearnedSignal(examples())
                signal_cache.save(key, signal)
            _trained[key] = signal
        return signal
