"""The opportunity buttons' callback data: what the bot makes reads back the same, and any
hostile data is refused as BadCallback, never crashing nor reading as something else."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.services.opportunities.rules import KINDS, OUTCOMES
from handlers.opportunities.codes import (
    COORDINATOR_VERBS,
    MAX_ID,
    MEMBER_VERBS,
    PERSON_VERBS,
    coordinator_data,
    kind_data,
    member_data,
    read_coordinator,
    read_kind,
    read_member,
)
from handlers.shared.callbacks import MAX_BYTES, BadCallback

ids = st.integers(min_value=1, max_value=MAX_ID - 1)
hostile = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    st.lists(
        st.one_of(
            st.sampled_from(["op", "oc", "ok", "i", "o", "t", "y", "kk", "show", "-1", "0", ""]),
            st.integers(min_value=-(10**20), max_value=10**20).map(str),
            st.text(alphabet="0123456789٣१abc:_-", max_size=20),
        ),
        max_size=6,
    ).map(":".join),
    st.none(),
    st.integers(),
)


@given(st.sampled_from(sorted(MEMBER_VERBS)), ids)
def test_member_buttons_read_back(verb: str, opportunity_id: int) -> None:
    data = member_data(verb, opportunity_id)
    assert len(data.encode()) <= MAX_BYTES
    pressed = read_member(data)
    assert (pressed.verb, pressed.opportunity_id) == (verb, opportunity_id)


@given(st.sampled_from(sorted(COORDINATOR_VERBS)), ids, ids, st.sampled_from(OUTCOMES))
def test_coordinator_buttons_read_back(verb: str, opp: int, member: int, outcome: str) -> None:
    person = member if verb in PERSON_VERBS else None
    result = outcome if verb == "o" else None
    data = coordinator_data(verb, opp, person, result)
    assert len(data.encode()) <= MAX_BYTES
    pressed = read_coordinator(data)
    assert (pressed.verb, pressed.opportunity_id, pressed.member_id, pressed.outcome) == (
        verb,
        opp,
        person,
        result,
    )


def test_kind_buttons_read_back() -> None:
    for kind in KINDS:
        assert read_kind(kind_data(kind)) == kind
    assert read_kind(kind_data()) == "show"
    assert read_kind(kind_data(done=True)) == "done"


@given(hostile)
@example("op:i:01")
@example("oc:o:1:2:x")
@example("ok:t:7")
@example("op:i:1:2")
def test_hostile_data_is_refused_or_read_as_a_real_button(data: object) -> None:
    for read in (read_member, read_coordinator, read_kind):
        try:
            pressed = read(data)
        except BadCallback:
            continue
        # Whatever was read is a real button: made again, it is the same data.
        if read is read_member:
            assert member_data(pressed.verb, pressed.opportunity_id) == data
        elif read is read_coordinator:
            again = coordinator_data(
                pressed.verb, pressed.opportunity_id, pressed.member_id, pressed.outcome
            )
            assert again == data
        else:
            assert pressed in (*KINDS, "show", "done")
