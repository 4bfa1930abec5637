"""The crisis net against its evaluation corpus: the corpus is big enough and sourced, and the
figures on the locked part (which nobody writing rules reads) stay at least where they are.
Failures print figures only, never a locked message."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.crisis import (
    CRISIS_KINDS,
    DEFAULT_PHRASES_PATH,
    DEFAULT_RULES_PATH,
    CrisisMatcher,
    load_crisis_matcher,
)
from bot.crisis.evaluation import (
    CORPUS_DIR,
    EXAMPLES_PATH,
    Labelled,
    Scores,
    evaluate,
    load_corpus,
    summary,
)
from config.yamlfile import read_yaml

# Issue 11 asks for recall of at least 0.97 and false alarms of at most 0.05 on the locked
# part. These floors stop a change that makes the net worse from landing, and should be raised
# as it improves. 2026-12-06: recall 0.797, false alarms 0.054, distress 0.735, kinds 0.831.
# 2026-12-07 readings: 0.810, 0.048, 0.765, 0.831 before the learned signal could answer
# outside its families; 0.838, 0.048, 0.765, 0.846 with that, before it was narrowed (to own-
# life kinds said in the first person) to keep word salad and "he looked me in the eye" quiet;
# the narrowed net, read once by the lead after the rules were done: 0.824, 0.048, 0.765, 0.85.
# With 3,176 more blind-written examples (writers W4 to W7), text-speak, dropped g's and new
# rules, thresholds chosen by cross-validation: 0.860, 0.048, 0.765, 0.853 (0.857, 0.048, 0.809,
# 0.856 before the last 21 examples were merged: distress is 68 messages, so it moves by steps).
# With 2,827 more (writers W8 to W11), everyday sayings that silence only their own part of a
# message, rule parts that need words of their own, "I'll" read as "I will", new concept rules,
# and thresholds chosen by cross-validation: 0.874, 0.048, 0.809, 0.862; then, with everyday
# idioms guarded for a development-part check of the rules alone: 0.874, 0.043, 0.809, 0.862.
# Session 9: with W12 to W19 (W16 to W19 contrast pairs: each crisis message beside an everyday
# twin with the same words), rules guarded against the twins, child exploitation needing two
# signs, and crisis_from 0.7 by cross-validation: 0.896, 0.043, 0.809, 0.865. Then with W22-W23
# (harm from others, self-harm and overdose, as contrast pairs) and the rules guarded against
# their twins: 0.893, 0.040, 0.809, 0.868. The recall floor went down by one message (one more
# missed, one false alarm fewer, kinds up; cross-validation the same without the new writers, and
# their held-out false alarms 0.24 -> 0.17): the data is kept rather than the number.
# Session 10: with W20 to W35 (7,394 more contrast pairs), rules guarded against W20-W35's
# twins, and crisis_anywhere_from 0.85, all chosen on cross-validation, read once at the end:
# 0.893, 0.043, 0.750, 0.855. Recall the same; one more false alarm; four distress messages
# and five kind fits fewer. Cross-validated, the families that are not pairs stayed where
# they were and the pairs' everyday twins were answered far less often (benchmarks/
# RESULTS.md, session 10); the floors follow the reading, and the note says so. Then an
# everyday saying silenced only its own words, not its whole sentence ("my kid drank the
# methadone after the memorial walk" had no reply; cross-validation the same): 0.893, 0.046.
# 2026-12-08 (session 11): guard words in a time or topic clause no longer stop a crisis rule
# (tests/crisis/test_time_clause.py), read once: 0.893, 0.046, 0.75, 0.855, unchanged; then four
# examples of a small child who swallowed a drug relabelled overdose, read again: kinds 0.858.
# Then a past told first ("I was homeless back in the day.") no longer silences the crisis
# said after it (tests/crisis/test_story_first.py: two in three rule-caught crises went quiet
# with such a sentence before them, none now; cross-validated false alarms outside the pairs
# 0.0251 -> 0.0268), read a third time: 0.893, 0.048 (one more false alarm: 18 of 373, the
# last the 0.05 allows).
# 2026-12-07 (session 12): "feel", "soon", "noose", "rapped" and "smoother" keep their doubled
# letter (tests/crisis/test_kept_doubles.py), read once: 0.893, 0.048, 0.75, 0.862; then the
# learned signal trained with framed copies of a third of the examples (bot/crisis/framing.py,
# tests/crisis/test_framing.py; cross-validated false alarms outside the pairs 0.0271 ->
# 0.0275), read once: 0.896, 0.048, 0.809, 0.865. Masked words ("k*ll", "su1c1de") and an
# opener said alone ("Anyway,") left it so. Then W36-W37 merged (400 contrast pairs of a crisis
# said beside forum business; cross-validated, the other families the same within a few
# messages), read once: 0.901, 0.048, 0.794, 0.863: two crises more heard, one distress message
# and one kind fit fewer. The data is kept rather than the number.
# 2026-12-08 (session 13): the learned signal also reads each message whole (a context head
# over a sentence model's meanings, bot/crisis/blended.py, with thresholds chosen by
# cross-validation and the framing test), read once: 0.904, 0.043, 0.868, 0.869. It answered
# an everyday message of tests/unit/test_crisis_matcher.py ("not safe to drive after these
# tablets"), so six everyday messages of that shape and two overdoses were added and the head
# trained again: 0.898, 0.043, 0.838, 0.869. Two locked crises went with that retraining (the
# head's own noise is about that), one fewer than in session 12 (327 of 364, not 328); two
# false alarms fewer (16 of 373; 0.046 allows 17) and three more distress messages answered
# (57 of 68).
# 2026-12-08 (session 14): 1,850 more examples (six blind-written voices, W38 to W43, and 38
# everyday ones of the lead's), the head reading three layers and learning from framed copies,
# and a very sure crisis of any kind but domestic abuse answered outside the families; all
# chosen on cross-validation and the framing test, read once at the end: 0.918 (334 of 364),
# 0.040 (15 of 373), 0.868 (59 of 68), 0.871. The floors keep two crises, two false alarms
# and one distress message of room for the head's own noise when it is trained again.
LOCKED_CRISIS_RECALL_AT_LEAST = 0.912
LOCKED_FALSE_ALARMS_AT_MOST = 0.046
LOCKED_CONCERN_RECALL_AT_LEAST = 0.85
LOCKED_KIND_ACCURACY_AT_LEAST = 0.868


@pytest.fixture(scope="module")
def matcher() -> CrisisMatcher:
    """The shipped net: phrases, rules and the learned signal."""
    return load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)


@pytest.fixture(scope="module")
def locked() -> list[Labelled]:
    """The locked part."""
    return load_corpus(CORPUS_DIR / "locked.yaml")


@pytest.fixture(scope="module")
def development() -> list[Labelled]:
    """The development part (the learned signal's examples)."""
    return load_corpus(EXAMPLES_PATH)


@pytest.fixture(scope="module")
def locked_scores(matcher: CrisisMatcher, locked: list[Labelled]) -> Scores:
    """The net's figures on the locked part, computed once."""
    return evaluate(matcher, locked)


def test_the_corpus_is_big_enough_in_every_kind(
    locked: list[Labelled], development: list[Labelled]
) -> None:
    """At least 500 crisis and 500 everyday messages in all, every kind in both parts."""
    both = [*locked, *development]
    tiers = Counter(message.tier for message in both)
    assert tiers["crisis"] >= 500
    assert tiers["none"] >= 500
    for part in (locked, development):
        kinds = {message.kind for message in part if message.tier == "crisis"}
        assert kinds == set(CRISIS_KINDS)
        assert any(message.tier == "concern" for message in part)


def test_every_message_names_a_source_with_a_citation() -> None:
    """Each part lists its sources, each a citation with words, and every message uses one."""
    for path in (CORPUS_DIR / "locked.yaml", EXAMPLES_PATH):
        data = read_yaml(path)
        sources = data["sources"]
        assert all(isinstance(cite, str) and len(cite) > 20 for cite in sources.values())
        assert {message["source"] for message in data["messages"]} <= set(sources)


def test_no_locked_message_is_also_an_example(
    locked: list[Labelled], development: list[Labelled]
) -> None:
    """The parts are apart: the learned signal never trains on a locked message."""
    words = {" ".join(message.text.lower().split()) for message in development}
    overlap = sum(" ".join(message.text.lower().split()) in words for message in locked)
    assert overlap == 0


def test_locked_crisis_recall_stays_at_its_floor(locked_scores: Scores) -> None:
    """Crisis messages on the locked part get the full crisis reply at least this often."""
    assert locked_scores.crisis_recall >= LOCKED_CRISIS_RECALL_AT_LEAST, summary(locked_scores)


def test_locked_false_alarms_stay_under_their_ceiling(locked_scores: Scores) -> None:
    """Everyday messages on the locked part get any crisis or concern reply at most this often."""
    assert locked_scores.false_alarm_rate <= LOCKED_FALSE_ALARMS_AT_MOST, summary(locked_scores)


def test_locked_distress_and_kinds_stay_at_their_floors(locked_scores: Scores) -> None:
    """Distress gets a reply, and a crisis reply fits the kind people gave the message."""
    assert locked_scores.concern_recall >= LOCKED_CONCERN_RECALL_AT_LEAST, summary(locked_scores)
    assert locked_scores.kind_accuracy >= LOCKED_KIND_ACCURACY_AT_LEAST, summary(locked_scores)


# The contrast-pair writers' sources (W16 to W35): each crisis or distress message beside an
# everyday twin written to share its striking words ("took the lot an hour ago and my lips are
# going numb" / "took the lot to the tip"). Their twins are built to fool word rules, so the
# rules alone are held to forum talk on the rest, and to where they stand on the twins.
# Session 14's writers (W38 to W43: sources n_, o_ and i_) wrote twins of their own crises among
# their everyday talk (about 40 in 120 for each voice), so they count with the pairs.
CONTRAST_PAIR_SOURCES = (
    *("p_", "q_", "r_", "s_", "t_", "u_", "v_", "h_", "j_", "k_", "l_"),
    *("n_", "o_", "i_"),
)
# 2026-12-07 (session 10): 0.5703 and 0.0928 with W20 to W35 merged and the rules' last
# round. Guarding word by word against each new set of twins ("quiz", "as chair", "on
# facebook") silenced real crises in the same sentence ("stood on the chair with the belt
# round my neck") and barely helped on twins the guards had not seen, so it was stopped.
# 2026-12-08 (session 11): 0.5718 and 0.0950. A guard word in a clause that says when ("after
# the carol service") or turns to other business ("Re the agenda,") no longer stops a crisis
# rule (tests/crisis/test_time_clause.py): one crisis in four the rules caught went quiet with
# an everyday time added, and half with "Re the agenda for Thursday," before it. The cost is
# 13 of 5,935 twins whose everyday cause sits in such a clause ("I could've strangled him
# when he said he'd forgotten the tickets"). Outside the pairs the rules alone now answer
# 0.0153 of everyday talk (0.0121 before), most of it recovery stories told over several
# sentences (test_story_first.py).
# Session 12: 0.5706 and 0.0944 once "feel" no longer read as "fell" nor "soon" as "son"; then
# 0.5811 and 0.0967 with W36-W37 merged (forum business beside a crisis, and everyday twins
# the rules alone answer 0.165 of: "I won't be around after tonight, I'm off to Whitby").
# Session 14: 0.5929 and 0.0969 with W38-W43 merged (the rules alone answer 0.644 of their
# crises and 0.099 of their everyday talk; outside all the pairs, still 0.687 and 0.0155).
PAIRS_RULES_RECALL_AT_LEAST = 0.58
PAIRS_RULES_FALSE_ALARMS_AT_MOST = 0.097


def _rules_only() -> CrisisMatcher:
    """The shipped phrases and rules without the learned signal."""
    from bot.crisis.files import read_phrases, read_rules

    phrases, not_a_crisis = read_phrases(DEFAULT_PHRASES_PATH)
    families, rules, guards = read_rules(DEFAULT_RULES_PATH)
    return CrisisMatcher(phrases, not_a_crisis, families, rules, phrase_guards=guards)


def test_the_rules_alone_still_catch_most_development_messages(
    development: list[Labelled],
) -> None:
    """Without the learned signal, phrases and rules alone still answer most crisis messages
    people wrote for rule writers, and almost no everyday talk."""
    plain = [m for m in development if not m.source.startswith(CONTRAST_PAIR_SOURCES)]
    assert len(plain) > len(development) // 2
    scores = evaluate(_rules_only(), plain)
    assert scores.crisis_recall >= 0.65, summary(scores)
    assert scores.false_alarm_rate <= 0.02, summary(scores)


def test_the_rules_alone_do_no_worse_on_the_contrast_pairs(
    development: list[Labelled],
) -> None:
    """On the contrast pairs, phrases and rules alone answer at least as many crisis messages
    and no more everyday twins than they did when these floors were set."""
    pairs = [m for m in development if m.source.startswith(CONTRAST_PAIR_SOURCES)]
    assert {m.source[:2] for m in pairs} == set(CONTRAST_PAIR_SOURCES)
    scores = evaluate(_rules_only(), pairs)
    assert scores.crisis_recall >= PAIRS_RULES_RECALL_AT_LEAST, summary(scores)
    assert scores.false_alarm_rate <= PAIRS_RULES_FALSE_ALARMS_AT_MOST, summary(scores)
