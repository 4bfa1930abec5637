"""Property tests for the survey file reader: any valid survey written as a file reads back the
same, and any text or any damage to a good file is either read or refused as a ConfigError,
never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.surveys.definition import Survey, from_json, to_json
from bot.services.surveys.file_checks import ID_PATTERN
from bot.services.surveys.files import read_survey
from config.errors import ConfigError
from tests.surveys.survey_strategies import as_file, surveys, without_places

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_text(text: str) -> Survey:
    """Read this text as a survey file in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(text, encoding="utf-8")
        return read_survey(path)


@FAST
@given(surveys())
def test_any_valid_survey_written_as_a_file_reads_back_the_same(survey: Survey) -> None:
    read = read_text(as_file(survey))
    assert without_places(read) == without_places(survey)
    # And the copy a running survey keeps reads back the same as well.
    assert without_places(from_json(to_json(read))) == without_places(survey)


@FAST
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused_plainly(text: str) -> None:
    try:
        read_text(text)
    except ConfigError as exc:
        assert str(exc).startswith(str(Path(tempfile.gettempdir())))


# Values that might stand where the reader expects something else.
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
    st.sampled_from(["choice", "section", "first", "a", "yes", "0", "-1", "", " "]),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place inside nested dicts and lists, as a path of keys and indexes."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _damaged(data: Any, path: tuple, junk: Any, how: str) -> Any:
    """A copy of ``data`` with the value at ``path`` replaced, dropped, or given a new key."""
    if not path:
        return junk
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if not rest and how == "drop":
            copy.pop(head, None)
        elif not rest and how == "add":
            copy[str(junk)[:10] or "x"] = junk
        else:
            copy[head] = _damaged(copy[head], rest, junk, how)
        return copy
    copy = list(data)
    if not rest and how == "drop":
        del copy[head]
    else:
        copy[head] = _damaged(copy[head], rest, junk, how)
    return copy


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(longest=5), st.data())
def test_any_damage_to_a_good_file_is_read_or_refused_plainly(survey: Survey, data) -> None:
    good = yaml.safe_load(as_file(survey))
    path = data.draw(st.sampled_from(_paths(good)))
    junk = data.draw(JUNK)
    how = data.draw(st.sampled_from(["replace", "drop", "add"]))
    text = yaml.safe_dump(_damaged(good, path, junk, how), allow_unicode=True, sort_keys=False)
    try:
        read = read_text(text)
    except ConfigError as exc:
        assert "random.yaml" in str(exc)
        return
    # Whatever was read is a whole, valid survey: ids fit buttons, rules look back.
    seen: set[str] = set()
    for question in read.questions:
        if question.show_if is not None:
            assert question.show_if.question in seen
        if question.answerable:
            assert ID_PATTERN.match(question.id)
            seen.add(question.id)
    assert read.answerable
