"""Words people hide a letter of ("k*ll myself", "d!e", "su1c1de", "s3lf h4rm", "r@ped") are
read as the words they hide. Before, "i want to d*e" and "self h*rm again tonight" got no reply,
and two development crises ("i think i was r*ped. cant even type the word") were missed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.crisis.normalise import tokens, unmasked
from bot.crisis.wordlists import MASK_LETTERS, MASKED_WORDS, MASKS
from tests.crisis.conftest import gives_crisis_reply


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("i want to d*e", "suicide"),
        ("want to d!e tonight", "suicide"),
        ("gonna k*ll myself", "suicide"),
        ("thinking about su1c1de every day", "suicide"),
        ("i want to unal1ve myself", "suicide"),
        ("self h*rm again tonight", "self_harm"),
        ("s3lf h4rm again tonight", "self_harm"),
        ("he r@ped me last night", "sexual_violence"),
        ("i think i was r*ped", "sexual_violence"),
        ("0verd0sed on my pills", "overdose"),
        ("i want to d!e!!", "suicide"),
    ],
)
def test_a_masked_crisis_gets_the_reply_of_its_kind(shipped_rules, text: str, kind: str) -> None:
    """The rules alone hear it, and answer it by kind."""
    found = shipped_rules.check(text)
    assert found is not None and found.is_crisis, text
    assert kind in found.kinds


@pytest.mark.parametrize(
    "text",
    [
        "today!! was great",
        "the m62 is closed",
        "got a love2shop voucher",
        "20mg sertraline",
        "my 1st meeting",
        "you c*nt",
        "what the f*ck",
        "ps5 broke",
        "my m8 is sound",
        "see you b4 the meeting",
        "email me at sam@hub4all.org",
        "**self harm** training on friday",
        "d2e and k9ll are not words",
    ],
)
def test_everyday_masks_and_numbers_are_left_alone(text: str) -> None:
    """Swearing, road names, codes and addresses are not read as anything else."""
    assert unmasked(text) == text


def test_everyday_masks_get_no_crisis_reply(shipped_net) -> None:
    """A masked swear word is still everyday talk."""
    for text in (
        "what the f*ck is going on with the bus",
        "you absolute c*nt, you forgot the cake",
    ):
        assert not gives_crisis_reply(shipped_net, text), text


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(MASKED_WORDS),
    st.data(),
)
def test_any_word_with_one_letter_masked_reads_as_a_masked_word(word: str, data) -> None:
    """One letter hidden by any mask reads as the word (or, where two listed words share the
    shape, as one of them with the same letters shown). Not the first or last letter: a mark
    after a word ("die!") is punctuation, and one before it may be ("**self harm**")."""
    at = data.draw(st.integers(1, len(word) - 2))
    mask = data.draw(st.sampled_from(MASKS))
    hidden = word[:at] + mask + word[at + 1 :]
    read = tokens(f"so {hidden} now")
    assert len(read) == 3
    shown = [letter for place, letter in enumerate(word) if place != at]
    assert read[1] in {tokens(other)[0] for other in MASKED_WORDS if len(other) == len(word)}
    assert all(letter in read[1] for letter in shown)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters=MASKS + "".join(MASK_LETTERS))))
def test_text_without_masks_or_numbers_is_unchanged(text: str) -> None:
    """Only words with a mask or a number in them can change."""
    assert unmasked(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_unmasking_hostile_text_never_fails(text: str) -> None:
    """Any text at all is read without an error."""
    tokens(text)
    unmasked(text.lower())
