"""Hypothesis strategies for surveys: random VALID surveys, valid answers, and the survey written
back out as a file (for the file reader's round trip). Used by test_files* and test_flow*."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import strategies as st

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    NUMBER,
    SCALE,
    SCALE_VALUES,
    SCOPES,
    SECTION,
    SKIPPED,
    TEXT,
    Answer,
    Condition,
    Consent,
    Option,
    Question,
    Survey,
)

ANSWERABLE_KINDS = (CHOICE, CHOICES, SCALE, NUMBER, TEXT)
# What skip rules may name (not text, not a heading).
READABLE_KINDS = (CHOICE, CHOICES, SCALE, NUMBER)

ids = st.from_regex(r"[a-z0-9_]{1,16}", fullmatch=True)
# Words as people write them: letters and marks from any language, digits, punctuation and
# symbols (emoji), single spaces; never empty.
_LETTERS = st.characters(categories=("L", "N", "P", "S"), exclude_characters="\x85")


def words(longest: int) -> st.SearchStrategy[str]:
    """Some words on one line, trimmed, with single spaces: as the reader keeps them."""
    return (
        st.lists(st.text(_LETTERS, min_size=1, max_size=12), min_size=1, max_size=6)
        .map(" ".join)
        .filter(lambda text: len(text) <= longest)
    )


# Quicker to draw, for tests of the order of questions rather than of the file's words.
PLAIN = st.sampled_from(("Yes", "How was it?", "Part two", "b c"))


@st.composite
def options(draw: st.DrawFn, plain: bool = False) -> tuple[Option, ...]:
    """2 to 10 options, ids and words (ignoring case) each used once."""
    count = draw(st.integers(2, 10))
    option_ids = draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    if plain:
        labels = [f"Option {n}" for n in range(count)]
    else:
        labels = draw(
            st.lists(words(60), min_size=count, max_size=count, unique_by=lambda w: w.casefold())
        )
    return tuple(Option(i, label) for i, label in zip(option_ids, labels, strict=True))


@st.composite
def number_bounds(draw: st.DrawFn) -> dict:
    """A number question's bounds: whole or decimal, each bound there or not."""
    decimals = draw(st.booleans())
    value = (
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 2))
        if decimals
        else st.integers(-(10**6), 10**6)
    )
    low = draw(st.none() | value)
    high = draw(st.none() | value)
    if low is not None and high is not None:
        if low == high:
            high = None
        elif low > high:
            low, high = high, low
    return {"minimum": low, "maximum": high, "decimals": decimals}


@st.composite
def condition_on(draw: st.DrawFn, target: Question) -> Condition:
    """A valid skip rule on an earlier question."""
    if target.kind in (CHOICE, CHOICES):
        chosen = draw(st.lists(st.sampled_from(target.options), min_size=1, unique=True))
        return Condition(target.id, any_of=tuple(o.id for o in chosen))
    if target.kind == SCALE:
        values = st.sampled_from(SCALE_VALUES)
    else:
        low = target.minimum if target.minimum is not None else -(10**6)
        high = target.maximum if target.maximum is not None else 10**6
        values = (
            st.floats(low, high, allow_nan=False)
            if target.decimals
            else st.integers(int(low), int(high))
        )
    at_least = draw(st.none() | values)
    at_most = draw(st.none() | values)
    if at_least is None and at_most is None:
        at_least = draw(values)
    if at_least is not None and at_most is not None and at_least > at_most:
        at_least, at_most = at_most, at_least
    return Condition(target.id, at_least=at_least, at_most=at_most)


@st.composite
def question(
    draw: st.DrawFn, question_id: str, earlier: list[Question], plain: bool = False
) -> Question:
    """One question or heading, maybe shown only when an earlier answer matches."""
    kind = draw(st.sampled_from((*ANSWERABLE_KINDS, SECTION)))
    text = draw(PLAIN if plain else words(200))
    if kind == SECTION:
        return Question(question_id, SECTION, text)
    values: dict = {"optional": draw(st.booleans())}
    if kind in (CHOICE, CHOICES):
        values["options"] = draw(options(plain))
    elif kind == SCALE:
        values["low_label"] = draw(st.just("") | (PLAIN if plain else words(40)))
        values["high_label"] = draw(st.just("") | (PLAIN if plain else words(40)))
    elif kind == NUMBER:
        values.update(draw(number_bounds()))
    else:
        values["max_length"] = draw(st.integers(1, 2000))
    readable = [q for q in earlier if q.kind in READABLE_KINDS]
    if readable and draw(st.booleans()):
        values["show_if"] = draw(condition_on(draw(st.sampled_from(readable))))
    return Question(question_id, kind, text, **values)


@st.composite
def surveys(draw: st.DrawFn, longest: int = 12, plain: bool = False) -> Survey:
    """A random valid survey: every kind, optional questions, skip rules on earlier answers
    (``plain``: the same words throughout, quicker to draw)."""
    count = draw(st.integers(1, longest))
    question_ids = draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    built: list[Question] = []
    for question_id in question_ids:
        built.append(draw(question(question_id, built, plain)))
    if not any(q.answerable for q in built):
        built.append(Question(draw(ids.filter(lambda i: i not in question_ids)), TEXT, "Why?"))
    text = PLAIN if plain else words(200)
    return Survey(
        key="random",
        title=draw(PLAIN if plain else words(100)),
        audience=draw(st.sampled_from(SCOPES)),
        anonymous=draw(st.booleans()),
        consent=Consent(*(draw(text) for _ in range(4))),
        questions=tuple(built),
        intro=draw(st.just("") | text),
    )


def answer_for(question: Question) -> st.SearchStrategy[Answer]:
    """A valid answer to the question (SKIPPED too, when it is optional)."""
    if question.kind == CHOICE:
        given = st.sampled_from([o.id for o in question.options])
    elif question.kind == CHOICES:
        given = st.lists(st.sampled_from(question.options), min_size=1, unique=True).map(
            lambda chosen: tuple(o.id for o in question.options if o in chosen)
        )
    elif question.kind == SCALE:
        given = st.sampled_from(SCALE_VALUES)
    elif question.kind == NUMBER:
        low = question.minimum if question.minimum is not None else -(10**9)
        high = question.maximum if question.maximum is not None else 10**9
        given = (
            st.floats(low, high, allow_nan=False)
            if question.decimals
            else st.integers(int(low), int(high))
        )
    else:
        given = st.sampled_from(("Fine", "It was hard to get through.")).filter(
            lambda text: len(text) <= question.max_length
        ) | st.just("x")
    return st.just(SKIPPED) | given if question.optional else given


def as_file(survey: Survey) -> str:
    """The survey written as a survey file (YAML), as an author would."""
    data: dict = {
        "title": survey.title,
        "audience": survey.audience,
        "anonymous": survey.anonymous,
        "consent": {
            "purpose": survey.consent.purpose,
            "who_runs": survey.consent.who_runs,
            "who_sees": survey.consent.who_sees,
            "kept_for": survey.consent.kept_for,
        },
        "questions": [_question_data(q) for q in survey.questions],
    }
    if survey.intro:
        data["intro"] = survey.intro
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def _question_data(q: Question) -> dict:
    """One question as the file writes it (only what differs from the defaults)."""
    data: dict = {"id": q.id, "kind": q.kind, "text": q.text}
    if q.optional:
        data["optional"] = True
    if q.options:
        data["options"] = {o.id: o.label for o in q.options}
    for name in ("low_label", "high_label"):
        if getattr(q, name):
            data[name] = getattr(q, name)
    if q.kind == NUMBER:
        for name in ("minimum", "maximum"):
            if getattr(q, name) is not None:
                data[name] = getattr(q, name)
        if q.decimals:
            data["decimals"] = True
    if q.kind == TEXT:
        data["max_length"] = q.max_length
    if q.show_if is not None:
        rule: dict = {"question": q.show_if.question}
        if q.show_if.any_of:
            rule["any_of"] = list(q.show_if.any_of)
        for name in ("at_least", "at_most"):
            if getattr(q.show_if, name) is not None:
                rule[name] = getattr(q.show_if, name)
        data["show_if"] = rule
    return data


def without_places(survey: Survey) -> Survey:
    """The survey less where it was read from (file and lines), to compare with another."""
    return replace(
        survey,
        source="",
        key="random",
        questions=tuple(replace(q, line=0) for q in survey.questions),
    )


def write(folder: Path, name: str, text: str) -> Path:
    """A file in the folder with this text, UTF-8."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
