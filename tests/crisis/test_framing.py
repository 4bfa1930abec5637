"""A crisis said beside forum business ("Hi, it's Jo from the South West hub.", "Anyway, how did
the meeting go?") is still heard. The examples say their crises alone and forum business only
in everyday messages, so the learned signal had learned "meeting" and "hub" as signs of
everyday talk: with such a sentence beside it, about one crisis in eight that the net answered
lost its reply, even among the examples it was trained on. It is now also trained on copies
of about a third of the examples with one of their own everyday sentences beside them
(bot/crisis/framing.py)."""

from __future__ import annotations

import random

import pytest

from bot.crisis.families import family
from bot.crisis.framing import FRAMED_SHARE, framing_check, framing_sentences, with_framings
from bot.crisis.kinds import CONCERN, CRISIS, NONE
from bot.crisis.learned import Example
from tests.crisis.conftest import gives_crisis_reply
from tests.crisis.crossval import load_examples

# Written for this test; none is in the examples the signal is trained on.
FRAMINGS = (
    "Hi, it's Jo from the South West hub. {t}",
    "{t} Anyway, how did the meeting go?",
    "Thanks for sorting my travel expenses. {t}",
    "{t} Are we still meeting at the library on Tuesday?",
    "Quick one about the agenda for Thursday. {t}",
    "{t} Can you send me the minutes please?",
    "Morning everyone, hope you're all well. {t}",
    "{t} Sorry if this is the wrong place to put this.",
)


@pytest.fixture(scope="module")
def sample(shipped_net) -> tuple[list[str], list[str]]:
    """400 crisis examples the net answers, and 400 everyday ones it leaves alone."""
    rng = random.Random(4)
    examples = [message for message, _ in load_examples()]
    crises = [message.text for message in examples if message.tier == CRISIS]
    everyday = [message.text for message in examples if message.tier == NONE]
    rng.shuffle(crises)
    rng.shuffle(everyday)
    answered = [text for text in crises[:600] if gives_crisis_reply(shipped_net, text)]
    quiet = [text for text in everyday[:600] if not gives_crisis_reply(shipped_net, text)]
    return answered[:400], quiet[:400]


def test_a_crisis_beside_forum_business_keeps_its_reply(shipped_net, sample) -> None:
    """At most one in ten loses its reply (13% did before; 8% now)."""
    answered, _ = sample
    lost = [
        framing.format(t=text)
        for text in answered
        for framing in FRAMINGS
        if not gives_crisis_reply(shipped_net, framing.format(t=text))
    ]
    assert len(lost) <= 0.10 * len(answered) * len(FRAMINGS), lost[:10]


def test_everyday_talk_beside_forum_business_stays_quiet(shipped_net, sample) -> None:
    """At most one in fifty gets the crisis reply (1.6% now, most with "Sorry if this is the
    wrong place to put this." run on after an everyday message with no full stop)."""
    _, quiet = sample
    answered = [
        framing.format(t=text)
        for text in quiet
        for framing in FRAMINGS
        if gives_crisis_reply(shipped_net, framing.format(t=text))
    ]
    assert len(answered) <= 0.02 * len(quiet) * len(FRAMINGS), answered[:10]


@pytest.mark.parametrize(
    "text",
    [
        "Hi, it's Jo from the South West hub. I've taken all my tablets and I'm going to sleep",
        "Got the minutes, ta. The rope's tied to the loft hatch and I'm ready",
        "I've swallowed the lot. Are we still on for Tuesday?",
    ],
)
def test_plain_crises_beside_forum_business(shipped_net, text: str) -> None:
    """Whole messages a member might send."""
    assert gives_crisis_reply(shipped_net, text)


def test_framing_sentences_are_everyday_talk_that_says_nothing_of_risk() -> None:
    """One sentence, four to twenty words, everyday, and no word of a family listened for."""
    says_nothing = framing_check([family("means", ["pills", "rope"])], {"means"})
    examples = [
        Example("Are we still on for the hub on Tuesday", NONE, "forum"),
        Example("Bring the pills to the hub on Tuesday please", NONE, "forum"),
        Example("Are we still on. See you at the hub on Tuesday", NONE, "forum"),
        Example("See you Tuesday", NONE, "forum"),
        Example("I am so scared of what happens at the hub on Tuesday", CONCERN, "distress"),
        Example(" ".join(["word"] * 21), NONE, "forum"),
    ]
    assert framing_sentences(examples, says_nothing) == ["Are we still on for the hub on Tuesday"]


def test_framed_copies_keep_every_example_and_its_label() -> None:
    """The examples come first, as they were; about FRAMED_SHARE of them follow with a framing
    sentence before or after, labelled as the example; the same choice every time."""
    examples = [
        Example(f"message {number}", (CRISIS, CONCERN, NONE)[number % 3], "x")
        for number in range(2000)
    ]
    framings = ["Are we still on for Tuesday", "Thanks for the minutes"]
    framed = with_framings(examples, framings)
    assert framed[: len(examples)] == examples
    copies = framed[len(examples) :]
    assert abs(len(copies) - FRAMED_SHARE * len(examples)) < 0.05 * len(examples)
    originals = {example.text: example for example in examples}
    for copy in copies:
        said = [framing for framing in framings if framing in copy.text]
        assert len(said) == 1
        rest = copy.text.replace(said[0], "").strip(" .")
        assert originals[rest].tier == copy.tier and originals[rest].kind == copy.kind
    assert with_framings(examples, framings) == framed
    assert with_framings(examples, []) == examples
