"""Word salad of everyday words gets no reply: the rules need words of their own, in a sensible
order ("please helped in" is no cry for help), while the crises they were written for still get
one. The three mixes were found by the everyday-words property test (tests/unit)."""

from __future__ import annotations

import pytest

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, load_crisis_matcher

WORD_SALAD = [
    "please helped in",
    "be over other thought worker",
    "were not talked to me",
    "Please Helped In",
    "thought be over other worker",
]
# The same words said as a crisis or as distress.
STILL_ANSWERED = [
    ("please help me", True),
    ("HELP ME", True),
    ("i just want it all to be over", True),
    ("i want this all to be over", True),
    ("keep thinking about how it would all be over soon", True),
    ("please someone talk to me im not safe", True),
    ("nobody talks to me", False),
    ("my parents don't talk to me since I came out", False),
]


@pytest.fixture(scope="module")
def net():
    """The shipped phrases and rules with the learned signal."""
    return load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)


@pytest.mark.parametrize("text", WORD_SALAD)
def test_word_salad_gets_no_reply(net, text: str) -> None:
    """A mix of everyday words is not a crisis or distress."""
    assert net.check(text) is None, net.hits(text)


@pytest.mark.parametrize(("text", "crisis"), STILL_ANSWERED)
def test_the_real_message_is_still_answered(net, text: str, crisis: bool) -> None:
    """The words the rules narrowed still answer a real crisis (or distress)."""
    found = net.check(text)
    assert found is not None, text
    assert found.is_crisis == crisis, (text, found)
