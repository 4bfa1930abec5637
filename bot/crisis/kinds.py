"""What the crisis net can find: two tiers, and the kinds of crisis it answers each its own way."""

from __future__ import annotations

from dataclasses import dataclass

CRISIS = "crisis"
CONCERN = "concern"
# The tier of a labelled message (examples and corpus files) that shows no risk.
NONE = "none"

# Crisis kinds, most urgent first: when a message shows several, the reply puts the first
# one's help first ("I took 30 pills and want to die" is an overdose before anything else).
CRISIS_KINDS: tuple[str, ...] = (
    "overdose",
    "danger_now",
    "child",
    "sexual_violence",
    "domestic_abuse",
    "harm_to_others",
    "suicide",
    "unsafe",
    "self_harm",
)
# Distress that is not clearly a crisis: the gentle reply.
DISTRESS = "distress"
KINDS: tuple[str, ...] = (*CRISIS_KINDS, DISTRESS)


def tier_of(kind: str) -> str:
    """The tier a kind belongs to."""
    return CONCERN if kind == DISTRESS else CRISIS


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a message shows: the tier, and the kinds found (most urgent first). Never the text."""

    tier: str
    kinds: tuple[str, ...]

    @property
    def kind(self) -> str:
        """The most urgent kind found."""
        return self.kinds[0]

    @property
    def is_crisis(self) -> bool:
        """Whether the full crisis reply is needed."""
        return self.tier == CRISIS


def verdict_of(kinds: set[str]) -> Verdict | None:
    """The verdict for the kinds found in one message, or None when none were."""
    crisis = tuple(kind for kind in CRISIS_KINDS if kind in kinds)
    if crisis:
        return Verdict(CRISIS, crisis)
    if DISTRESS in kinds:
        return Verdict(CONCERN, (DISTRESS,))
    return None
