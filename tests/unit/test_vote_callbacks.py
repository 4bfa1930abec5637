"""Answer-button data: hostile input never crashes and only well-formed presses get through;
every button the bot builds reads back as what it means."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.consultations.answers import parse_vote
from handlers.consultations.messages import DONE, VOTE
from handlers.shared.callbacks import BadCallback, decode
from storage.consultations import MemberAnswer
from tests.unit.consultation_samples import a_consultation, renderer

hostile = st.one_of(
    st.text(max_size=120),
    st.lists(
        st.one_of(st.text(max_size=12), st.integers().map(str), st.sampled_from(["cv", "0", "1"])),
        max_size=6,
    ).map(":".join),
    st.integers(min_value=0, max_value=10**25).map(lambda n: f"cv:{n}:{n}"),
    st.none(),
    st.integers(),
)


@given(hostile)
def test_hostile_answer_data_raises_only_bad_callback(data: object) -> None:
    try:
        consultation_id, position, chosen = parse_vote(data)
    except BadCallback:
        return
    assert isinstance(data, str) and data.startswith("cv:")
    assert consultation_id >= 0 and position >= 0
    assert isinstance(chosen, bool)


@given(
    st.integers(min_value=2, max_value=10),
    st.booleans(),
    st.sets(st.integers(min_value=0, max_value=9)),
    st.booleans(),
)
def test_every_button_built_reads_back_as_what_it_means(
    options: int, multiple: bool, chosen: set[int], answered: bool
) -> None:
    messages = renderer()
    consultation = a_consultation(
        id=10**12,
        options=tuple(f"Answer {n}" for n in range(options)),
        multiple=multiple,
        ask_comment=True,
        show_results="while_open",
    )
    picked = frozenset(p for p in chosen if p < options)
    markup = messages.buttons(consultation, MemberAnswer(answered, picked))
    rows = markup.inline_keyboard
    for position in range(options):
        button = rows[position][0]
        consultation_id, read_position, set_to = parse_vote(button.callback_data)
        assert (consultation_id, read_position) == (consultation.id, position)
        assert len(button.callback_data.encode()) <= 64
        # A ticked answer's button takes it off; an unticked one chooses it.
        if multiple:
            assert set_to == (position not in picked)
    if multiple:
        assert decode(rows[options][0].callback_data, DONE).int_arg(0) == consultation.id
    assert all(decode(row[0].callback_data).action != VOTE for row in rows[options:])
