"""A crisis said with when it will happen ("after the carol service", "once the kids are in
bed"), or beside forum business ("Re the agenda for Thursday, ...", "..., see you at the
meeting"), is still heard: an everyday word in such a clause says when or what else, not what
happened, so it does not stop a crisis rule. Before this, about one in four crises the rules
caught went quiet with a time clause added, and about half with "Re the agenda for Thursday,"
before them: the clause's words ("service", "review", "agenda") guard the rules against policy
talk and everyday twins."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.crisis.kinds import CRISIS
from bot.crisis.normalise import sentences
from tests.crisis.conftest import gives_crisis_reply
from tests.crisis.crossval import load_examples

# Everyday times and forum business a member might add (most are in no example as written).
TAILS = (
    "after the funeral service",
    "after the school run",
    "after my probation appointment",
    "once the housing review is done",
    "after the forum meeting",
    "after I post the letters",
    "when the kids are in bed",
    "after tea",
    "once the system kicks me out",
    "after my shift at the warehouse",
    "- anyway enjoy the christmas party",
    ", see you at the meeting",
    ", thanks for the forum newsletter",
)
LEADS = (
    "After the funeral service,",
    "Once the housing review is done,",
    "After my shift at the warehouse,",
    "When the kids are in bed,",
    "Re the agenda for Thursday,",
    "About the travel expenses form -",
    "Quick question about the meeting on Thursday:",
)


@pytest.mark.parametrize(
    "text",
    [
        "just took 40 of my sertraline after the funeral service.",
        "tonite i kill me after the carol service",
        "he grabbed my neck once the system kicks me out",
        "I'm going to hang myself when the kids are in bed",
        "After the forum meeting, I took all my pills",
        "After the funeral service, drank a bottle of bleach",
        "Once the housing review is done, I'm going to end my life",
        "Re the agenda for Thursday, I won't be alive for the next meeting",
        "re the expenses form - he hit me again last night",
        "i've got the rope ready, thanks for the forum newsletter",
        "Quick question about the meeting on Thursday: my exit plan is sorted",
        # an opener said alone opens the clause after it (run on with no full stop)
        "he's kicking off, im locked in the loo Anyway, how was the meeting?",
        "ill be gone by the morning btw, are we still on for the forum meeting",
    ],
)
def test_a_crisis_beside_an_everyday_time_or_subject_is_heard(shipped_rules, text: str) -> None:
    """The rules alone answer, whatever the time or the other business."""
    assert gives_crisis_reply(shipped_rules, text), shipped_rules.hits(text)


@pytest.mark.parametrize(
    "text",
    [
        # the everyday word is in the same clause as the crisis words: still a twin
        "took the lot to the tip after the clear out",
        # distress rules keep the whole sentence: the clause gives the everyday cause
        "I was frightened to death when the smoke alarm went off",
        "had a mini meltdown when the wifi went during the final",
        # the twin's everyday word is in the match's own clause, whatever the opening
        "Re the party, I tied the balloons to the banister",
        # an idiom for "it will take forever"
        "I'll be dead and buried before the council fixes that road",
        "I could kill for a brew anyway, how was the meeting?",
    ],
)
def test_everyday_talk_with_such_a_clause_stays_quiet(shipped_net, text: str) -> None:
    """No reply where the everyday words belong to what was said."""
    assert shipped_net.check(text) is None, shipped_net.hits(text)


def test_rule_crises_stay_heard_with_an_everyday_time_or_subject_added(shipped_rules) -> None:
    """Of the development crises the rules catch (a fixed sample), nearly all stay caught with
    an everyday time clause or forum business after them or before them. Some cannot: a rule
    for very short messages ("went too deep") no longer fits, and the learned signal answers
    those."""
    examples = [message for message, _ in load_examples() if message.tier == CRISIS]
    random.Random(3).shuffle(examples)
    caught = [
        message.text for message in examples if gives_crisis_reply(shipped_rules, message.text)
    ][:300]
    tried = lost = 0
    for text in caught:
        bare = text.rstrip().rstrip(".!?")
        variants = [f"{bare}{'' if tail[0] == ',' else ' '}{tail}." for tail in TAILS]
        variants += [f"{lead} {text[0].lower()}{text[1:]}" for lead in LEADS]
        for variant in variants:
            tried += 1
            lost += not gives_crisis_reply(shipped_rules, variant)
    assert lost / tried <= 0.05, (lost, tried)


def test_sentences_number_the_clauses_between_commas() -> None:
    """Commas, colons and spaced dashes start a new clause; sentence ends do too; the words
    themselves do not change (a thousand written 1,000 is one clause)."""
    read = sentences("After the service, I took them - all 1,000. Sorry: bye")
    assert read.words == (
        "after",
        "service",
        "i",
        "tok",
        "them",
        "al",
        "1",
        "000",
        "sory",
        "bye",
    )
    assert read.clause == (0, 0, 1, 1, 1, 2, 2, 2, 3, 4)
    assert read.sentence == (0, 0, 0, 0, 0, 0, 0, 0, 1, 1)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab kI,:;.!?-\u2014\u2013'1 \n\U0001f602é"), max_size=80))
def test_clause_numbers_follow_the_words_on_any_text(text: str) -> None:
    """On any text: one clause number per word, never going back, and a new sentence is
    always a new clause."""
    read = sentences(text)
    assert len(read.clause) == len(read.words) == len(read.sentence)
    pairs = list(zip(read.sentence, read.clause, strict=True))
    for (sentence, clause), (next_sentence, next_clause) in pairwise(pairs):
        assert next_clause >= clause
        if next_sentence != sentence:
            assert next_clause > clause
