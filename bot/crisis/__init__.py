"""The crisis safety net's matcher: does a message show the sender may be at risk, how much, and
of what. Listed phrases (config/crisis_phrases.yaml) and concept rules
(config/crisis_rules.yaml) together; pure, precompiled, and it never keeps the text."""

from bot.crisis.files import (
    DEFAULT_PHRASES_PATH,
    DEFAULT_RULES_PATH,
    PHRASE_SECTIONS,
    load_crisis_matcher,
)
from bot.crisis.kinds import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, KINDS, Verdict
from bot.crisis.matcher import NOT_A_CRISIS, CrisisMatcher, Hit

__all__ = [
    "CONCERN",
    "CRISIS",
    "CRISIS_KINDS",
    "DEFAULT_PHRASES_PATH",
    "DEFAULT_RULES_PATH",
    "DISTRESS",
    "KINDS",
    "NOT_A_CRISIS",
    "PHRASE_SECTIONS",
    "CrisisMatcher",
    "Hit",
    "Verdict",
    "load_crisis_matcher",
]
