"""The learned signal read two ways at once: the words (bot/crisis/learned.py) and the meaning
of the whole message (bot/crisis/context.py). Their probabilities are mixed, so a crisis said
in words the examples never used is heard, and an everyday message that only borrows crisis
words is weighed as a whole."""

from __future__ import annotations

import numpy as np

from bot.crisis.context import ContextHead
from bot.crisis.encoder import READING, SentenceEncoder
from bot.crisis.learned import LearnedSignal, Scores


class BlendedSignal:
    """Scores a message by the words signal and the context head, mixed by `share`."""

    def __init__(
        self, words: LearnedSignal, encoder: SentenceEncoder, head: ContextHead, share: float
    ) -> None:
        """Mix `share` of the context head's probabilities with the rest from the words."""
        if tuple(words.classes) != head.classes:
            raise ValueError("the context head was trained on other classes; train it again")
        if head.weights[0].shape[0] != READING:
            raise ValueError(
                "the context head was trained on another reading of the sentence model; "
                "train it again"
            )
        self.words = words
        self.encoder = encoder
        self.share = share
        self._head = head

    def context_probabilities(self, text: str) -> np.ndarray:
        """The context head's probabilities for the message: of its windows, the one that
        sounds most like a crisis."""
        rows = self._head.probabilities(self.encoder.windows(text))
        return rows[int(np.argmax(rows[:, self.words.crisis_columns].sum(axis=1)))]

    def scores(self, text: str, at_least: float = 0.0) -> Scores:
        """The mixed probability of a crisis, of distress, and the likeliest crisis kinds.
        Where the words make crisis and distress together so unlikely that even a context
        head sure of a crisis could not bring the mix to ``at_least``, the message is not read
        whole (most everyday messages: the sentence model takes milliseconds) and the scores
        are that bound, below ``at_least``."""
        row = (1.0 - self.share) * self.words.probabilities(text)
        words = self.words.scores_of(row)
        if words.crisis + words.concern + self.share < at_least:
            return Scores(words.crisis + self.share, words.concern, words.kind, words.also)
        row += self.share * self.context_probabilities(text)
        return self.words.scores_of(row)
