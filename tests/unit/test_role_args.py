"""The words after /grant and /revoke: any input is either understood or refused politely."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.role_args import RoleArgs, RoleArgsError, parse_role_args
from storage.roles import COORDINATOR, DECISION_MAKER

ROLE_WORDS = {
    "coordinator": COORDINATOR,
    "coord": COORDINATOR,
    "decision-maker": DECISION_MAKER,
    "decision_maker": DECISION_MAKER,
    "decisionmaker": DECISION_MAKER,
    "dm": DECISION_MAKER,
}

word = st.one_of(
    st.text(max_size=30),
    st.sampled_from([*ROLE_WORDS, "request", "req", "0", "-5", "١٢٣", "²", " ", "\n", ""]),
    st.integers().map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cs", "Cc", "Zs"]), max_size=20),
)


@given(st.lists(word, max_size=6))
@example([])
@example(["12345"])
@example(["0", "coordinator"])
@example(["-5", "coordinator"])
@example(["١٢٣", "coordinator"])
@example(["²", "dm"])
@example(["9" * 17, "dm"])
@example(["request", "x", "dm"])
@example(["İ", "coordinator"])
def test_any_words_parse_or_raise_only_role_args_error(words: list[str]) -> None:
    try:
        parsed = parse_role_args(words)
    except RoleArgsError:
        return
    assert parsed.role in (COORDINATOR, DECISION_MAKER)
    number = parsed.telegram_id if parsed.telegram_id is not None else parsed.request_id
    assert (parsed.telegram_id is None) != (parsed.request_id is None)
    assert number is not None and 0 < number < 2**52


@given(st.integers(min_value=1, max_value=2**52 - 1), st.sampled_from(sorted(ROLE_WORDS)))
def test_id_and_role_parse(telegram_id: int, role_word: str) -> None:
    assert parse_role_args([str(telegram_id), role_word]) == RoleArgs(
        ROLE_WORDS[role_word], telegram_id=telegram_id
    )


@given(
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from(sorted(ROLE_WORDS)),
    st.sampled_from(["request", "req", "Request", "REQ"]),
)
def test_request_and_role_parse(request_id: int, role_word: str, lead: str) -> None:
    assert parse_role_args([lead, str(request_id), role_word.upper()]) == RoleArgs(
        ROLE_WORDS[role_word], request_id=request_id
    )


def test_extra_spaces_and_case_are_forgiven() -> None:
    assert parse_role_args(["  12345 ", "", "Coordinator  "]) == RoleArgs(
        COORDINATOR, telegram_id=12345
    )


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["12345"],
        ["coordinator"],
        ["coordinator", "12345"],
        ["12345", "admin"],
        ["12345", "coordinator", "extra"],
        ["0", "coordinator"],
        ["-12345", "coordinator"],
        ["12.5", "coordinator"],
        ["request", "coordinator"],
        ["request", "seven", "coordinator"],
        [str(2**52), "coordinator"],
    ],
)
def test_wrong_forms_are_refused(words: list[str]) -> None:
    with pytest.raises(RoleArgsError):
        parse_role_args(words)
