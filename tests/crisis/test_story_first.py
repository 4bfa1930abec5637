"""A member's past told first ("I was homeless back in the day.", "I've been in recovery for
three years.") does not silence a crisis said after it. Before this, a past told anywhere in a
message switched every listed phrase off and gave the learned signal no room, so "I was
homeless back in the day. I've just taken 40 paracetamol." got no reply at all: about two in
three crises the rules caught went quiet with such a sentence before them. A past told in the
crisis words' own sentence, or after them ("That was ten years ago."), still keeps the story a
story."""

from __future__ import annotations

import random
from itertools import islice

import pytest

from bot.crisis.kinds import CRISIS
from bot.crisis.normalise import sentences, sentences_as_written
from tests.crisis.conftest import gives_crisis_reply
from tests.crisis.crossval import load_examples

STORIES = (
    "Years ago I used to self-harm.",
    "I've been in recovery for three years.",
    "In the past I survived an overdose.",
    "Back in the day I was homeless for a year.",
    "When I was a kid my dad used to hit me.",
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I was homeless back in the day. I've just taken 40 paracetamol.", "overdose"),
        ("Years ago I used to self-harm. I've got the rope ready.", "suicide"),
        ("I've been in recovery for three years. Tonight I'm going to end it.", "suicide"),
        ("I used to drink a lot in the nineties. He's outside the door with a knife.", None),
    ],
)
def test_a_crisis_after_a_story_is_heard(shipped_net, text: str, kind: str | None) -> None:
    """The crisis reply, of the kind that fits where that is clear."""
    found = shipped_net.check(text)
    assert found is not None and found.is_crisis, (text, shipped_net.hits(text))
    if kind is not None:
        assert found.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "I used to self-harm; ten years clean now",
        "I took an overdose in 2014. That was ten years ago.",
        "When I was 15 I took an overdose. Now I help others through the forum.",
        "Back in 2016 I tried to take my own life. I'm doing well now and I chair our hub.",
        # a reason given first still counts for the goodbye after it: only a story told as
        # past is left behind
        "Leaving the group now, I got a full time job. Thank you for everything, love you all",
    ],
)
def test_a_story_told_as_past_stays_quiet(shipped_net, text: str) -> None:
    """Lived experience told as the past, with its framing in or after its sentence."""
    assert shipped_net.check(text) is None, shipped_net.hits(text)


def test_crises_stay_heard_after_a_story(shipped_net) -> None:
    """Of the development crises the net answers (a fixed sample), nearly all keep the crisis
    reply with a past told first in a sentence of its own."""
    examples = [message for message, _ in load_examples() if message.tier == CRISIS]
    random.Random(7).shuffle(examples)
    # the first 200 it answers, checked lazily (all ten thousand took minutes)
    answered = list(
        islice(
            (text for text in (m.text for m in examples) if gives_crisis_reply(shipped_net, text)),
            200,
        )
    )
    lost = [
        (story, text)
        for text in answered
        for story in STORIES
        if not gives_crisis_reply(shipped_net, f"{story} {text}")
    ]
    assert len(lost) <= 0.02 * len(answered) * len(STORIES), lost[:5]


def test_sentences_as_written_are_numbered_as_the_rules_read_them() -> None:
    """Each part is the sentence the rules number the same; where folding moves a sentence
    end (a full-width mark), there is no answer rather than a wrong one."""
    text = "I paid £1.50. Then left! Bye"
    parts = sentences_as_written(text)
    assert parts == ["I paid £1.50", " Then left", " Bye"]
    assert max(sentences(text).sentence) == len(parts) - 1
    assert sentences_as_written("Hi！I took them all") is None
