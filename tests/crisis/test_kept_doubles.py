"""Words whose doubled letter is all that tells them apart keep it. The net squeezes repeated
letters so "killl" and "pleeease" read as typed words; before this, "feel" read as "fell" (a
fall from a height), "soon" as "son" (a child), "noose" as "nose", "rapped" as "raped" and
"smoother" as "smother". "he rapped at the open mic" got the sexual violence reply, "he touched
me, I'll tell someone soon" got the child reply, and family words written "feel ..." never
found "feels" or "feeling"."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.crisis.normalise import sentences, squeeze, tokens
from bot.crisis.wordlists import KEPT_DOUBLES
from tests.crisis.conftest import gives_crisis_reply

# Each kept word, and the word it used to be read as.
APART = {"feel": "fell", "soon": "son", "noose": "nose", "rapped": "raped", "smoother": "smother"}


@pytest.mark.parametrize(("kept", "other"), sorted(APART.items()))
def test_a_kept_double_reads_apart_from_the_other_word(kept: str, other: str) -> None:
    """Messages, family entries (squeeze) and rule words (sentences) all keep them apart."""
    assert tokens(f"i {kept} it") != tokens(f"i {other} it")
    assert squeeze(kept) != squeeze(other)
    assert sentences(kept).words == (squeeze(kept),) == tuple(tokens(kept))


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("sooooon", "soon"),
        ("FEEEEELING", "feeling"),
        ("ffeel", "feel"),
        ("feell", "feel"),
        ("nooooose", "noose"),
        ("rapppper", "rapper"),
        ("smoooother", "smoother"),
        ("séé yóú sóóón", "soon"),
    ],
)
def test_a_kept_double_typed_long_reads_as_the_word(typed: str, read: str) -> None:
    """However long a run is typed, the kept word reads with its double, lower case."""
    assert read in tokens(typed)
    assert read in sentences(typed).words


def test_other_repeats_are_still_squeezed() -> None:
    """Only the kept words keep a double: "killl" and "kill" still read the same."""
    assert tokens("killl myself") == tokens("kill myself") == ["kil", "myself"]
    assert tokens("fell") == ["fel"]
    assert tokens("my son") == ["my", "son"]


@pytest.mark.parametrize(
    "text",
    [
        "he rapped at the open mic last night, was amazing",
        "my boyfriend rapped me a song for my birthday",
        "bleeding nose, fine",
        "the new hub room is smoother than the old one",
    ],
)
def test_everyday_talk_with_a_kept_double_gets_no_crisis_reply(shipped_net, text: str) -> None:
    """What the other word would have meant is not read into it."""
    assert not gives_crisis_reply(shipped_net, text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("my boyfriend raped me", "sexual_violence"),
        ("the noose is tied to the banister", "suicide"),
        ("he tried to smother me with a pillow", None),
        ("I feel like jumping off the bridge tonight", "suicide"),
    ],
)
def test_the_other_words_still_get_the_crisis_reply(shipped_net, text: str, kind) -> None:
    """Spelt with one letter, each is the word the net listens for."""
    found = shipped_net.check(text)
    assert found is not None and found.is_crisis
    assert kind is None or kind in found.kinds


def test_soon_is_not_read_as_a_son(shipped_net) -> None:
    """Abuse told with "soon" in it is not taken for a child's."""
    found = shipped_net.check("he touched me, I will tell someone soon")
    assert found is not None and found.is_crisis
    assert "child" not in found.kinds


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_mark_of_a_kept_double_never_shows(text: str) -> None:
    """Kept doubles are marked in plain capitals while squeezing; no read word keeps one."""
    for word in [*tokens(text), *sentences(text).words]:
        assert not any("A" <= letter <= "Z" for letter in word), word


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*KEPT_DOUBLES, "feeling", "sooner", "fell", "son", "kill"]), min_size=1
    ),
    st.data(),
)
def test_typing_a_run_longer_never_changes_what_is_read(words: list[str], data) -> None:
    """Any run of a repeated letter typed longer reads as before (a single letter typed
    twice may make another word: "fell" typed "feell" reads "feel")."""
    text = " ".join(words)
    runs = [found.span() for found in re.finditer(r"([a-z])\1+", text)]
    assume(runs)
    start, end = data.draw(st.sampled_from(runs))
    longer = text[:end] + text[start] * data.draw(st.integers(1, 4)) + text[end:]
    assert tokens(longer) == tokens(text)


@pytest.mark.parametrize(
    "text", ["tie a n oose", "tie a no ose", "i fe el like a burden", "i f eel such a burden"]
)
def test_a_kept_word_broken_in_two_is_still_found(shipped_rules, text: str) -> None:
    """A stray space inside a kept word squeezes its second half ("oose" reads "ose"); the
    listed phrase is found all the same."""
    assert shipped_rules.check(text) is not None
    assert shipped_rules.check(text).is_crisis
