"""Scoring the crisis net on labelled messages (tests/crisis/corpus/): how many crisis messages
get the crisis reply, how many distress messages get any reply, how often everyday talk sets it
off, and whether the reply's kind fits. Used by the tests, `make bench` and the review tool."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.crisis.kinds import CONCERN, CRISIS, NONE, Verdict
from bot.crisis.matcher import CrisisMatcher
from config.errors import ConfigError
from config.yamlfile import read_yaml

_ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS_DIR = _ROOT / "tests" / "crisis" / "corpus"  # the locked part
EXAMPLES_PATH = _ROOT / "config" / "crisis_examples.yaml"  # the development part


@dataclass(frozen=True, slots=True)
class Labelled:
    """One corpus message: its text, the tier and kind people gave it, and its source."""

    text: str
    tier: str  # "crisis", "concern" or "none"
    kind: str
    source: str


@dataclass
class Scores:
    """How the net did on one set of labelled messages."""

    crisis_total: int = 0
    crisis_caught: int = 0  # crisis messages given the full crisis reply
    crisis_answered: int = 0  # crisis messages given any reply (crisis or concern)
    crisis_kind_fits: int = 0  # crisis replies whose kinds include the labelled kind
    concern_total: int = 0
    concern_answered: int = 0  # distress messages given any reply
    none_total: int = 0
    none_alarms: int = 0  # everyday messages given any reply
    none_crisis_alarms: int = 0  # everyday messages given the full crisis reply
    missed_by_kind: Counter = field(default_factory=Counter)
    alarms_by_kind: Counter = field(default_factory=Counter)

    @property
    def crisis_recall(self) -> float:
        """Share of crisis messages that got the full crisis reply."""
        return self.crisis_caught / self.crisis_total if self.crisis_total else 1.0

    @property
    def any_reply_recall(self) -> float:
        """Share of crisis messages that got any reply."""
        return self.crisis_answered / self.crisis_total if self.crisis_total else 1.0

    @property
    def kind_accuracy(self) -> float:
        """Share of crisis replies whose kinds include the kind people gave the message."""
        return self.crisis_kind_fits / self.crisis_caught if self.crisis_caught else 1.0

    def add(self, message: Labelled, verdict: Verdict | None) -> None:
        """Count what the net said about one labelled message."""
        if message.tier == CRISIS:
            self.crisis_total += 1
            self.crisis_answered += verdict is not None
            if verdict is not None and verdict.is_crisis:
                self.crisis_caught += 1
                self.crisis_kind_fits += message.kind in verdict.kinds
            else:
                self.missed_by_kind[message.kind] += 1
        elif message.tier == CONCERN:
            self.concern_total += 1
            if verdict is not None:
                self.concern_answered += 1
            else:
                self.missed_by_kind[message.kind] += 1
        else:
            self.none_total += 1
            if verdict is not None:
                self.none_alarms += 1
                self.none_crisis_alarms += verdict.is_crisis
                self.alarms_by_kind[message.kind] += 1

    @property
    def concern_recall(self) -> float:
        """Share of distress messages that got a reply (gentle or full)."""
        return self.concern_answered / self.concern_total if self.concern_total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of everyday messages that got any reply."""
        return self.none_alarms / self.none_total if self.none_total else 0.0

    @property
    def crisis_false_alarm_rate(self) -> float:
        """Share of everyday messages that got the full crisis reply."""
        return self.none_crisis_alarms / self.none_total if self.none_total else 0.0


def load_corpus(path: Path) -> list[Labelled]:
    """The labelled messages of one corpus part; ConfigError if the file is malformed."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ConfigError(str(path), "a corpus file has 'sources:' and 'messages:'")
    sources = data.get("sources") or {}
    found = []
    for entry in data["messages"]:
        if not isinstance(entry, dict) or entry.get("tier") not in (CRISIS, CONCERN, NONE):
            raise ConfigError(str(path), "each message needs text, tier, kind and source")
        if entry.get("source") not in sources:
            raise ConfigError(str(path), f"unknown source {entry.get('source')!r}")
        found.append(Labelled(str(entry["text"]), entry["tier"], entry["kind"], entry["source"]))
    return found


def evaluate(matcher: CrisisMatcher, messages: Sequence[Labelled]) -> Scores:
    """Score the matcher on labelled messages."""
    scores = Scores()
    for message in messages:
        scores.add(message, matcher.check(message.text))
    return scores


def summary(scores: Scores) -> dict[str, object]:
    """The figures, rounded, for a report (no message text)."""
    return {
        "crisis_messages": scores.crisis_total,
        "crisis_recall": round(scores.crisis_recall, 4),
        "crisis_any_reply_recall": round(scores.any_reply_recall, 4),
        "crisis_kind_accuracy": round(scores.kind_accuracy, 4),
        "concern_messages": scores.concern_total,
        "concern_recall": round(scores.concern_recall, 4),
        "everyday_messages": scores.none_total,
        "crisis_false_alarm_rate": round(scores.false_alarm_rate, 4),
        "crisis_reply_false_alarm_rate": round(scores.crisis_false_alarm_rate, 4),
        "missed_by_kind": dict(sorted(scores.missed_by_kind.items())),
        "false_alarms_by_kind": dict(sorted(scores.alarms_by_kind.items())),
    }
