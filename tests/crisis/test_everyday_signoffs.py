"""Everyday sign-offs and plans in a forum chat get no crisis reply. The learned signal took
these for goodbyes once (a coordinator's "Hello: see you soon" broadcast got the crisis reply),
until everyday examples of them were added to config/crisis_examples.yaml."""

from __future__ import annotations

import pytest

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, load_crisis_matcher

EVERYDAY = [
    "see you soon",
    "Hello: see you soon",
    "ok see you soon",
    "see u soon",
    "hope to see you soon",
    "looking forward to seeing you soon",
    "will do, see you soon",
    "I can't make it tonight",
    "see you at the meeting",
    "night all",
    "I'm going to bed",
    "love you all",
    "thanks for everything",
    "won't be around for a while",
    "last day at work today",
    "love you all, see you thursday",
    "thanks for everything you do",
    "last day at work today, then off to spain",
]
# What must still be answered: the same words turned into a goodbye or a plan.
STILL_CRISIS = [
    "i'm going to sleep and never wake up",
    "see you on the other side, I've got the pills ready",
    "can't make it through tonight, I have the rope",
    # an everyday saying silences only its own part of the message
    "won't be around for a while, I've got the rope",
    "I'm going to bed. I've taken all my tablets, goodbye everyone",
    "love you all. sorry for everything. goodbye",
    "last day alive today",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_sign_offs_get_no_reply(text: str) -> None:
    matcher = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)
    assert matcher.check(text) is None


@pytest.mark.parametrize("text", STILL_CRISIS)
def test_goodbyes_with_a_plan_are_still_answered(text: str) -> None:
    matcher = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)
    verdict = matcher.check(text)
    assert verdict is not None and verdict.tier == "crisis"
