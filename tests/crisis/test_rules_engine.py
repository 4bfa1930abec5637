"""The concept-rule engine (bot/crisis/rules.py, forms.py) and how the matcher uses it, on small
hand-made word families and rules, so each test shows one behaviour whatever the shipped
files hold."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest

from bot.crisis import CONCERN, CRISIS, CRISIS_KINDS, DISTRESS, CrisisMatcher, Hit, Verdict
from bot.crisis.families import FAMILY_FUZZY_MIN_WORD, Family, FamilyIndex, family
from bot.crisis.forms import forms_of
from bot.crisis.kinds import verdict_of
from bot.crisis.normalise import sentences
from bot.crisis.rules import NEAR_BEFORE, Rule, rule_match


def make_rule(
    rule_id: str,
    kind: str,
    *parts: str,
    within: int = 8,
    in_order: bool = True,
    same_sentence: bool = True,
    unless_near: Iterable[str] = (),
    unless_sentence: Iterable[str] = (),
    unless_message: Iterable[str] = (),
    max_words: int | None = None,
) -> Rule:
    """A rule as the rules file would give it; each part is a family name, or a|b."""
    return Rule(
        id=rule_id,
        kind=kind,
        parts=tuple(frozenset(part.split("|")) for part in parts),
        within=within,
        in_order=in_order,
        same_sentence=same_sentence,
        unless_near=frozenset(unless_near),
        unless_sentence=frozenset(unless_sentence),
        unless_message=frozenset(unless_message),
        max_message_words=max_words,
        why="test",
    )


def net(
    families: Iterable[Family],
    rules: Iterable[Rule],
    *,
    phrases: dict[str, list[str]] | None = None,
    not_a_crisis: Iterable[str] = (),
    guards: Iterable[str] = (),
) -> CrisisMatcher:
    """A matcher from hand-made parts."""
    return CrisisMatcher(
        phrases or {},
        list(not_a_crisis),
        list(families),
        list(rules),
        phrase_guards=frozenset(guards),
        source="test rules",
    )


def found_in(group: Family, text: str) -> bool:
    """Whether the family's words are found in the text."""
    return group.name in FamilyIndex([group]).find(sentences(text).words)


def fired(matcher: CrisisMatcher, text: str) -> list[str]:
    """The ids of the rules that found risk in the text."""
    return [hit.name for hit in matcher.hits(text) if hit.source == "rule"]


ME = family("me", ["i", "me", "my", "myself"])
WANT = family("want", ["want", "wish", "hope"])
DIE = family("die", ["die", "be dead", "not wake up", "end it all"])
NEGATION = family("negation", ["not", "never", "no", "dont"], exact=True)
STILL_NOW = family("still_now", ["still", "again"], exact=True)
TOLD_AS_PAST = family("told_as_past", ["used to", "years ago"], not_with=["still_now"])
POLICY = family("policy", ["prevention", "awareness", "strategy"], exact=True)
SUICIDE_WORD = family("suicide_word", ["suicidal"], exact=True)
SAD = family("sad", ["sad", "low", "down"], exact=True)
TAKE = family("take", ["take", "swallow"])
PILL = family("pill", ["pill", "tablet", "paracetamol"])
KILL_SELF = family("kill_self", ["kill myself"])
ALL = [ME, WANT, DIE, NEGATION, STILL_NOW, TOLD_AS_PAST, POLICY, SUICIDE_WORD, SAD, TAKE, PILL]

WISH_DEAD = make_rule("wish_dead", "suicide", "want", "die", within=5)


# ---------------------------------------------------------------------------
# Forms of a word


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("kill", {"kill", "kills", "killed", "killing"}),
        ("hope", {"hopes", "hoped", "hoping"}),
        ("push", {"pushes", "pushed", "pushing"}),
        ("try", {"tries", "tried", "trying"}),
        ("Kill", {"kills", "killed", "killing"}),
    ],
)
def test_regular_forms(word: str, forms: set[str]) -> None:
    """A plain word brings its regular -s, -ed and -ing forms (lower case)."""
    assert forms <= forms_of(word)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("stab", {"stabs", "stabbed", "stabbing"}),
        ("cut", {"cut", "cuts", "cutting"}),
        ("slit", {"slits", "slitting"}),
        ("hit", {"hit", "hits", "hitting"}),
    ],
)
def test_short_words_double_their_last_letter(word: str, forms: set[str]) -> None:
    """cut, stab, slit: the last letter doubles before -ed and -ing."""
    assert forms <= forms_of(word)


@pytest.mark.parametrize(
    ("word", "forms"), [("die", {"dies", "died", "dying"}), ("lie", {"lies", "lying"})]
)
def test_words_ending_ie(word: str, forms: set[str]) -> None:
    """die gives dying, not dieing."""
    assert forms <= forms_of(word)
    assert word[:-1] + "ing" not in forms_of(word)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("take", {"took", "taken", "takes", "taking"}),
        ("hang", {"hung", "hangs", "hanging"}),
        ("be", {"am", "is", "are", "was", "were", "been", "being"}),
        ("tell", {"told"}),
        ("feel", {"felt"}),
        ("see", {"saw", "seen"}),
    ],
)
def test_irregular_forms(word: str, forms: set[str]) -> None:
    """Irregular forms come from the list of irregulars."""
    assert forms <= forms_of(word)


@pytest.mark.parametrize(
    ("listed", "message"),
    [
        ("kill", "he killed"),
        ("kill", "killing"),
        ("hope", "hoping"),
        ("stab", "stabbed"),
        ("die", "dying"),
        ("take", "I took them"),
        ("take", "I have taken them"),
        ("pill", "pills"),
    ],
)
def test_a_family_finds_every_form_of_its_words(listed: str, message: str) -> None:
    """A family word is found in any of its forms in a message."""
    assert found_in(family("x", [listed]), message)


@pytest.mark.parametrize(
    ("listed", "message"),
    [
        ("tell", "he told me"),
        ("feel", "I felt like a burden"),
        ("keep", "he kept my money"),
        ("see", "nobody saw"),
        ("fall", "I fell apart"),
        ("sleep", "I slept rough"),
        ("feel like", "I felt like a burden"),
        ("keep my money", "he kept my money"),
    ],
)
def test_a_family_finds_irregular_forms_of_words_with_a_doubled_letter(
    listed: str, message: str
) -> None:
    """tell/told, feel/felt, keep/kept, see/saw: the irregular forms of a word with a doubled
    letter are found like any other irregular form."""
    assert found_in(family("x", [listed]), message)


def test_an_exact_family_is_found_only_as_written() -> None:
    """exact: no other forms ("kid" is not "kidding"); the same word listed normally brings
    its forms."""
    exact = family("child", ["kid", "kids"], exact=True)
    assert found_in(exact, "my kid is scared")
    assert not found_in(exact, "I'm kidding")
    assert found_in(family("child", ["kid"]), "I'm kidding")


def test_the_first_and_last_words_of_a_listed_phrase_bring_their_forms() -> None:
    """kill myself finds killed myself; sexually assault finds sexually assaulted; take an
    overdose finds took an overdose and taking overdoses (the filler "an" is skipped)."""
    assert found_in(family("x", ["kill myself"]), "I nearly killed myself")
    assert found_in(family("x", ["kill myself"]), "killing myself")
    assert found_in(family("x", ["sexually assault"]), "I was sexually assaulted")
    assert found_in(family("x", ["take an overdose"]), "I took an overdose")
    assert found_in(family("x", ["take an overdose"]), "taking overdoses")
    assert not found_in(family("x", ["kill myself"]), "kill yourself")


def test_words_of_a_phrase_must_be_next_to_each_other() -> None:
    """A phrase entry is its words in a row (fillers aside)."""
    assert found_in(family("x", ["end it all"]), "I'll just end it all")
    assert not found_in(family("x", ["end it all"]), "end of it all")


# ---------------------------------------------------------------------------
# Windows: within, in_order, same_sentence


def test_within_counts_words_from_the_first_part_to_the_last() -> None:
    """within: the match may span at most this many words (fillers are not counted)."""
    text = "i blue green die"
    assert fired(net(ALL, [make_rule("r", "suicide", "me", "die", within=4)]), text) == ["r"]
    assert fired(net(ALL, [make_rule("r", "suicide", "me", "die", within=3)]), text) == []
    filler_text = "i really very just die"
    assert fired(net(ALL, [make_rule("r", "suicide", "me", "die", within=2)]), filler_text) == ["r"]


def test_in_order() -> None:
    """in_order true: the parts in the order listed; false: in any order."""
    text = "to die is all i want"
    ordered = make_rule("r", "suicide", "want", "die", in_order=True)
    unordered = make_rule("r", "suicide", "want", "die", in_order=False)
    assert fired(net(ALL, [ordered]), text) == []
    assert fired(net(ALL, [unordered]), text) == ["r"]
    assert fired(net(ALL, [ordered]), "all i want is to die") == ["r"]


@pytest.mark.parametrize("text", ["i want it. die", "i want it!\ndie", "i want it; die"])
def test_same_sentence(text: str) -> None:
    """same_sentence true: the words must be in one sentence; false: they may span two."""
    together = make_rule("r", "suicide", "want", "die", same_sentence=True)
    apart = make_rule("r", "suicide", "want", "die", same_sentence=False)
    assert fired(net(ALL, [together]), text) == []
    assert fired(net(ALL, [apart]), text) == ["r"]
    assert fired(net(ALL, [together]), "i want it, die") == ["r"]


def test_each_part_needs_words_of_its_own() -> None:
    """A word found once fills one part only, even where two parts may be the same family or
    overlap: "want" alone is not [want, want|die], in order or not."""
    for in_order in (True, False):
        rule = make_rule("r", "suicide", "want", "want|die", in_order=in_order, within=12)
        assert fired(net(ALL, [rule]), "i want it") == []
        assert fired(net(ALL, [rule]), "i want it and i want it") == ["r"]
        assert fired(net(ALL, [rule]), "i want to die") == ["r"]
    assert fired(net(ALL, [make_rule("r", "suicide", "die", "want", in_order=False)]), "want") == []


def test_a_part_may_be_any_of_several_families() -> None:
    """find [want|sad, die]: either family does for that part."""
    rule = make_rule("r", "suicide", "want|sad", "die")
    assert fired(net(ALL, [rule]), "so low, could die") == ["r"]
    assert fired(net(ALL, [rule]), "wish to die") == ["r"]
    assert fired(net(ALL, [rule]), "could die") == []


# ---------------------------------------------------------------------------
# unless_near, unless_in_sentence, unless_in_message, not_with


def test_a_negation_just_before_the_match_blocks_it() -> None:
    """unless_near: a negation within a few words before the match (same sentence) blocks it,
    and so does one between its parts."""
    rule = make_rule("r", "suicide", "want", "die", unless_near=["negation"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "I want to die") == ["r"]
    assert fired(matcher, "I do not want to die") == []
    assert fired(matcher, "I never want to die") == []
    assert fired(matcher, "I want never to die") == []


def test_a_negation_further_back_or_in_another_sentence_does_not_block() -> None:
    """Only NEAR_BEFORE words back, and only in the same sentence."""
    rule = make_rule("r", "suicide", "want", "die", unless_near=["negation"])
    matcher = net(ALL, [rule])
    gap = " ".join(["blue"] * NEAR_BEFORE)
    assert fired(matcher, f"not {gap} want to die") == ["r"]
    assert fired(matcher, f"not {' '.join(['blue'] * (NEAR_BEFORE - 1))} want to die") == []
    assert fired(matcher, "No. I want to die") == ["r"]


def test_a_not_inside_a_matched_entry_does_not_block() -> None:
    """ "not wake up" is itself a way of saying die: its "not" is not a negation of the match."""
    rule = make_rule("r", "suicide", "want", "die", unless_near=["negation"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "I hope to not wake up") == ["r"]
    assert fired(matcher, "I want to not wake up tomorrow") == ["r"]


def test_a_short_form_negation_overlapping_a_matched_entry_does_not_block() -> None:
    """ "don't" reads "do not": its "not" is the start of "not wake up", so it must not count
    as a negation of the match either ("hoping I don't wake up tomorrow")."""
    rule = make_rule("r", "suicide", "want", "die", unless_near=["negation"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "hoping I don't wake up tomorrow") == ["r"]
    assert fired(matcher, "hoping i dont wake up tomorrow") == ["r"]


def test_unless_in_sentence() -> None:
    """unless_in_sentence: a word of the family anywhere in the match's sentence blocks it;
    in another sentence it does not."""
    rule = make_rule("r", "suicide", "suicide_word", unless_sentence=["policy"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "I feel suicidal") == ["r"]
    assert fired(matcher, "suicidal feelings awareness week") == []
    assert fired(matcher, "the prevention strategy talks about feeling suicidal") == []
    assert fired(matcher, "The strategy was good. I feel suicidal") == ["r"]


def test_unless_in_message() -> None:
    """unless_in_message: a word of the family anywhere in the message blocks the rule."""
    rule = make_rule("r", "suicide", "want", "die", unless_message=["told_as_past"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "I want to die") == ["r"]
    assert fired(matcher, "I want to die. That was years ago, I'm well now") == []
    assert fired(matcher, "I used to want to die") == []


def test_not_with_cancels_a_family_when_another_is_present() -> None:
    """A family with not_with counts as absent in a message that has a word of those
    families ("years ago ... and still do"), anywhere in the message."""
    index = FamilyIndex(ALL)
    assert "told_as_past" in index.find(sentences("I used to cut").words)
    assert "told_as_past" not in index.find(sentences("I used to cut and still do").words)
    assert "told_as_past" not in index.find(sentences("Years ago. Again now.").words)
    rule = make_rule("r", "suicide", "want", "die", unless_message=["told_as_past"])
    matcher = net(ALL, [rule])
    assert fired(matcher, "I used to want to die") == []
    assert fired(matcher, "I used to want to die and I still do") == ["r"]


@pytest.mark.parametrize("cancellers_first", [True, False])
def test_a_cancelled_canceller_no_longer_cancels(cancellers_first: bool) -> None:
    """not_with chains are worked out in order, whatever order the file lists them in: in a
    recovery story "today" (now) is cancelled by "chaired a panel" (well now), so the past
    still counts; a relapse cancels "well now", and "today" cancels the past again."""
    past = family("past", ["years ago"], not_with=["now"])
    now = family("now", ["today", "tonight"], not_with=["well_now"])
    well_now = family("well_now", ["chaired a panel", "years clean"], not_with=["relapse"])
    relapse = family("relapse", ["relapsed"])
    order = [relapse, well_now, now, past] if cancellers_first else [past, now, well_now, relapse]
    index = FamilyIndex(order)

    def found(text: str) -> set[str]:
        return set(index.find(sentences(text).words))

    assert "past" in found("Years ago I tried. Today I chaired a panel")
    assert "past" not in found("Years ago I tried. Today I tried again")
    assert "past" not in found("Years ago I stopped, years clean, but today I relapsed")
    assert "past" in found("I tried years ago")


def test_max_message_words() -> None:
    """A rule limited to short messages counts the words the rules read (short forms in
    full, no fillers)."""
    rule = make_rule("r", "suicide", "suicide_word", max_words=3)
    matcher = net(ALL, [rule])
    assert fired(matcher, "suicidal") == ["r"]
    assert fired(matcher, "i am suicidal") == ["r"]
    assert fired(matcher, "I'm really so suicidal") == ["r"]
    assert fired(matcher, "i am suicidal today") == []
    assert fired(matcher, "I'm suicidal now") == []


# ---------------------------------------------------------------------------
# Typing slips


def test_slips_only_for_family_words_of_eight_letters_or_more() -> None:
    """A family word of FAMILY_FUZZY_MIN_WORD letters or more matches one typing slip away
    (letter dropped, added, changed, neighbours swapped); shorter words must be spelt right."""
    assert FAMILY_FUZZY_MIN_WORD == 8
    long_word = family("x", ["suicidal"])
    for slip in ("sucidal", "suicidla", "suicidel", "suiciddal", "suicidall"):
        assert found_in(long_word, slip), slip
    short_word = family("x", ["suicide"])
    assert found_in(short_word, "suicide")
    for slip in ("sucide", "suicdie", "suicida"):
        assert not found_in(short_word, slip), slip
    assert found_in(family("x", ["paracetamol"]), "took some paracetmol")
    assert found_in(family("x", ["paracetamol overdose"]), "a paracetmol overdose")


def test_slips_need_the_right_first_letter_and_are_never_everyday_words() -> None:
    """No slip in the first letter; listed everyday words ("thanking") are never slips."""
    group = family("x", ["suicidal", "thinking"])
    assert not found_in(group, "buicidal")
    assert found_in(group, "thimking")
    assert not found_in(group, "thanking")


def test_a_word_of_another_family_is_not_a_slip() -> None:
    """A message word that is itself a listed family word is read as that word only."""
    index = FamilyIndex([family("a", ["marching"]), family("b", ["matching"])])
    assert set(index.find(["matching"])) == {"b"}
    assert set(index.find(["marching"])) == {"a"}
    assert set(index.find(["marchng"])) == {"a"}


# ---------------------------------------------------------------------------
# False alarms and phrase guards


def test_a_false_alarm_switches_off_a_rule_match_inside_it() -> None:
    """A rule's match that sits wholly inside an everyday saying is ignored, and so is one
    whose words of a part are the saying's ("I killed myself laughing": "killed myself" is
    the saying's, whatever else the rule found); elsewhere in the message it still counts."""
    alone = make_rule("alone", "suicide", "kill_self")
    with_me = make_rule("with_me", "suicide", "me", "kill_self")
    matcher = net([ME, KILL_SELF], [alone], not_a_crisis=["killed myself laughing"])
    assert fired(matcher, "killed myself laughing at that") == []
    assert fired(matcher, "I nearly killed myself") == ["alone"]
    assert fired(matcher, "killed myself, killed myself laughing") == ["alone"]
    matcher = net([ME, KILL_SELF], [with_me], not_a_crisis=["i killed myself laughing"])
    assert fired(matcher, "I killed myself laughing") == []
    assert fired(matcher, "I killed myself") == ["with_me"]
    matcher = net([ME, KILL_SELF], [with_me], not_a_crisis=["killed myself laughing"])
    assert fired(matcher, "I killed myself laughing") == []


def test_a_false_alarm_early_in_a_message_does_not_hide_the_same_rule_later() -> None:
    """The rule's match inside the everyday saying is ignored, and its second match, outside
    the saying, still counts (as for listed phrases)."""
    alone = make_rule("alone", "suicide", "kill_self")
    matcher = net([ME, KILL_SELF], [alone], not_a_crisis=["killed myself laughing"])
    assert fired(matcher, "killed myself laughing, then killed myself") == ["alone"]
    with_me = make_rule("with_me", "suicide", "me", "kill_self")
    matcher = net([ME, KILL_SELF], [with_me], not_a_crisis=["killed myself laughing"])
    assert fired(matcher, "I killed myself laughing at first but then I killed myself") == [
        "with_me"
    ]
    phrases_only = net(
        [], [], phrases={"suicide": ["killed myself"]}, not_a_crisis=["killed myself laughing"]
    )
    assert phrases_only.check("killed myself laughing, then killed myself") is not None


def test_phrase_guards_switch_listed_phrases_off_for_the_whole_message() -> None:
    """A guard family anywhere in the message silences every listed phrase (not the rules);
    a guard cancelled by its not_with leaves them on."""
    harm = family("harm", ["cut myself"])
    rule = make_rule("told", "self_harm", "harm")
    phrases = {"self_harm": ["cut myself"], "suicide": ["want to die"]}
    matcher = net([harm, TOLD_AS_PAST, STILL_NOW], [], phrases=phrases, guards=["told_as_past"])
    assert matcher.check("I cut myself") == Verdict(CRISIS, ("self_harm",))
    assert matcher.check("Years ago I cut myself. I'm well now") is None
    assert matcher.check("I want to die. I used to cut myself") is None
    assert matcher.check("I used to cut myself and I still do") == Verdict(CRISIS, ("self_harm",))
    with_rule = net(
        [harm, TOLD_AS_PAST, STILL_NOW], [rule], phrases=phrases, guards=["told_as_past"]
    )
    assert with_rule.hits("Years ago I cut myself") == [Hit("rule", "told", "self_harm")]


# ---------------------------------------------------------------------------
# The verdict


def test_crisis_beats_concern() -> None:
    """A message with distress and a crisis kind gets the crisis reply, with crisis kinds only."""
    rules = [WISH_DEAD, make_rule("low", DISTRESS, "me", "sad", within=4)]
    matcher = net(ALL, rules)
    assert matcher.check("I am so low") == Verdict(CONCERN, (DISTRESS,))
    assert matcher.check("I am so low and I want to die") == Verdict(CRISIS, ("suicide",))
    assert not matcher.check("I am so low").is_crisis


def test_kinds_come_most_urgent_first() -> None:
    """Whatever order the rules find them in, kinds are listed most urgent first."""
    assert verdict_of({"self_harm", "suicide", "overdose", "danger_now"}) == Verdict(
        CRISIS, ("overdose", "danger_now", "suicide", "self_harm")
    )
    assert verdict_of(set(CRISIS_KINDS)) == Verdict(CRISIS, CRISIS_KINDS)
    assert verdict_of({DISTRESS}) == Verdict(CONCERN, (DISTRESS,))
    assert verdict_of(set()) is None
    rules = [WISH_DEAD, make_rule("pills", "overdose", "take", "pill", within=4)]
    found = net(ALL, rules).check("I want to die, I took 30 tablets")
    assert found == Verdict(CRISIS, ("overdose", "suicide"))
    assert found.kind == "overdose"


def test_a_verdict_holds_no_text() -> None:
    """A verdict is a tier and kinds; a hit names a section or a rule. Never the words."""
    matcher = net(ALL, [WISH_DEAD])
    text = "I want to die, Quillon"
    found = matcher.check(text)
    assert [field.name for field in dataclasses.fields(found)] == ["tier", "kinds"]
    assert "Quillon" not in repr(found) + repr(matcher.hits(text))
    assert "want" not in repr(found) + repr(matcher.hits(text))
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kinds = ()  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Emoji and long messages


@pytest.mark.parametrize("text", ["I took all my 💊", "took💊💊💊", "taking 💊 now"])
def test_the_pill_emoji_reads_as_the_word_pill(text: str) -> None:
    """Emoji that carry a meaning are read as their word."""
    rule = make_rule("pills", "overdose", "take", "pill", within=4)
    assert net(ALL, [rule]).check(text) == Verdict(CRISIS, ("overdose",))


def _window(spans: list[tuple[int, int]] | None) -> tuple[int, int] | None:
    """Where a match starts and ends (in words), from the spans of its parts."""
    if spans is None:
        return None
    return min(start for start, _ in spans), max(end for _, end in spans)


def test_a_match_over_a_long_message_of_family_words_stays_correct() -> None:
    """A 4,096-character message made of family words: the match at its very end is found
    where it is, and nothing is found when the last part is missing or negated."""
    rule = make_rule("r", "suicide", "me", "want", "die", within=4, unless_near=["negation"])
    matcher = net(ALL, [rule])
    body = "i want " * 584
    text = body + "to die"
    assert len(text) <= 4096
    assert len(text) > 4090
    read = sentences(text)
    found = FamilyIndex(ALL).find(read.words)
    assert len(found["want"]) == 584
    assert _window(rule_match(rule, found, read)) == (len(read.words) - 4, len(read.words))
    assert fired(matcher, text) == ["r"]
    assert fired(matcher, body + "to live") == []
    assert fired(matcher, body + "never die") == []
    unordered = make_rule("u", "suicide", "die", "me", within=4, in_order=False)
    assert _window(rule_match(unordered, found, read)) == (len(read.words) - 4, len(read.words))
    assert net(ALL, [unordered]).check("die " + body) == Verdict(CRISIS, ("suicide",))


def test_the_learned_signal_outside_its_families_answers_only_a_very_sure_crisis() -> None:
    """Where a message has a word of a family the learned signal needs, it answers a likely
    crisis or distress; where it has none, only a crisis it is very sure of (of any kind but
    domestic abuse: "someone keeps trying my door handle"), never distress."""
    from bot.crisis.learned import Scores
    from bot.crisis.matcher import ANYWHERE, FAMILIES, Learned, learned_hits

    learned = Learned(
        signal=None,  # type: ignore[arg-type]  # learned_hits reads only the thresholds
        crisis_from=0.75,
        concern_from=0.85,
        crisis_anywhere_from=0.95,
    )
    likely = Scores(crisis=0.8, concern=0.1, kind="suicide")
    very_sure = Scores(crisis=0.97, concern=0.0, kind="suicide", also=("unsafe",))
    very_sure_of_others = Scores(crisis=0.99, concern=0.0, kind="danger_now")
    very_sure_of_abuse = Scores(crisis=0.99, concern=0.0, kind="domestic_abuse")
    distress = Scores(crisis=0.2, concern=0.7, kind="suicide")
    assert learned_hits(learned, likely, [], FAMILIES) == [Hit("learned", "examples", "suicide")]
    assert learned_hits(learned, distress, [], FAMILIES) == [Hit("learned", "examples", DISTRESS)]
    assert learned_hits(learned, likely, [], ANYWHERE) == []
    assert learned_hits(learned, distress, [], ANYWHERE) == []
    assert learned_hits(learned, very_sure, [], ANYWHERE) == [
        Hit("learned", "examples", "suicide"),
        Hit("learned", "examples", "unsafe"),
    ]
    assert learned_hits(learned, very_sure_of_others, [], ANYWHERE) == [
        Hit("learned", "examples", "danger_now")
    ]
    assert learned_hits(learned, very_sure_of_abuse, [], ANYWHERE) == []


def test_the_learned_signal_hears_two_word_messages_only_when_very_sure() -> None:
    """In a message of two or three words with a family it needs ("pills + vodka") the learned
    signal answers only a crisis it is very sure of, never distress."""
    from bot.crisis.learned import Scores
    from bot.crisis.matcher import SHORT, SHORT_CRISIS_FROM, Learned, learned_hits

    learned = Learned(signal=None, crisis_from=0.75, concern_from=0.85)  # type: ignore[arg-type]
    sure = Scores(crisis=SHORT_CRISIS_FROM, concern=0.0, kind="overdose")
    likely = Scores(crisis=0.8, concern=0.1, kind="overdose")
    distress = Scores(crisis=0.1, concern=0.9, kind="suicide")
    assert learned_hits(learned, sure, [], SHORT) == [Hit("learned", "examples", "overdose")]
    assert learned_hits(learned, likely, [], SHORT) == []
    assert learned_hits(learned, distress, [], SHORT) == []
