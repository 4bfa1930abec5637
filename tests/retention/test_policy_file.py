"""config/retention.yaml: the shipped file gives the defaults; every mistake is refused with the
file, the line and what to write; hostile values never get past the check or crash it; and the
bot does not start (nor open its database) on a broken file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_services
from bot.clock import Clock
from bot.retention_policy import (
    DAY,
    DEFAULT_POLICY,
    MONTH,
    WEEK,
    YEAR,
    Duration,
    RetentionPolicy,
    load_retention,
)
from config.errors import ConfigError
from config.settings import CONFIG_DIR
from tests.conftest import START, make_settings

SHIPPED = CONFIG_DIR / "retention.yaml"

GOOD = """\
members:
  ask_after_no_activity: 18 months
  remove_after_no_answer: 30 days
contact_notes:
  delete_after_done: 90 days
broadcasts:
  delete_after_finished: 90 days
audit_log:
  delete_after: 2 years
surveys:
  delete_answers_after_closing: 12 months
"""


def write(tmp_path: Path, text: str) -> Path:
    """The text as a retention file."""
    path = tmp_path / "retention.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> ConfigError:
    """The error the file's text gets."""
    with pytest.raises(ConfigError) as caught:
        load_retention(write(tmp_path, text))
    return caught.value


def test_the_shipped_file_gives_the_defaults() -> None:
    policy = load_retention(SHIPPED)
    assert policy == RetentionPolicy(
        ask_after_no_activity=Duration(18, MONTH),
        remove_after_no_answer=Duration(30, DAY),
        contact_notes=Duration(90, DAY),
        finished_broadcasts=Duration(90, DAY),
        audit_entries=Duration(2, YEAR),
        survey_answers=Duration(12, MONTH),
        source=str(SHIPPED),
    )
    assert policy == DEFAULT_POLICY.__class__(**{**DEFAULT_POLICY.__dict__, "source": str(SHIPPED)})


def test_the_shipped_file_explains_itself_to_a_non_programmer() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    header = text.split("members:")[0]
    for words in (
        "days, weeks, months or years",
        "restart the bot",
        "will NOT start",
        "/retention",
    ):
        assert words in header
    assert "BACKUP_KEEP" in header  # backups expire apart, by their own setting


def test_units_and_spacing_people_write_are_read(tmp_path: Path) -> None:
    text = GOOD.replace("18 months", "1 Year").replace("30 days", "4weeks")
    text = text.replace("90 days", "  100   DAYS ", 1)
    policy = load_retention(write(tmp_path, text))
    assert policy.ask_after_no_activity == Duration(1, YEAR)
    assert policy.remove_after_no_answer == Duration(4, WEEK)
    assert policy.contact_notes == Duration(100, DAY)


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("30 days", "30"), 3, "needs a number and a unit"),
        (("30 days", "thirty days"), 3, "whole number and then days, weeks, months or years"),
        (("30 days", "30 fortnights"), 3, "whole number and then days"),
        (("30 days", "-30 days"), 3, "whole number and then days"),
        (("30 days", "1.5 days"), 3, "whole number and then days"),
        (("30 days", "2 days"), 3, "it must be from 7 days to 1 year"),
        (("30 days", "2 years"), 3, "it must be from 7 days to 1 year"),
        (("18 months", "0 months"), 2, "from 3 months to 10 years"),
        (("2 years", "21 years"), 9, "from 3 months to 20 years"),
        (("2 years", "[2, years]"), 9, "needs a number and a unit"),
        (("2 years", "yes"), 9, "needs a number and a unit"),
        (("2 years", "2 years old"), 9, "whole number and then days"),
        (("2 years", ""), 9, "needs a number and a unit"),
        (("delete_after_done", "delete_after_dne"), 5, "'delete_after_dne' is not a name"),
    ],
)
def test_a_wrong_value_names_the_line_and_the_fix(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    error = refused(tmp_path, GOOD.replace(*change))
    message = str(error)
    assert message.startswith(str(tmp_path / "retention.yaml"))
    assert f"line {line}:" in message
    assert words in message


def test_a_missing_setting_or_section_says_what_to_add(tmp_path: Path) -> None:
    error = refused(tmp_path, GOOD.replace("  delete_after: 2 years\n", ""))
    assert "line 8: 'audit_log:' must have its settings under it" in str(error)
    error = refused(tmp_path, GOOD.replace("  remove_after_no_answer: 30 days\n", ""))
    assert "'remove_after_no_answer' is missing under 'members:'" in str(error)
    error = refused(tmp_path, GOOD.replace("audit_log:\n  delete_after: 2 years\n", ""))
    assert "the section 'audit_log:' is missing" in str(error)
    error = refused(tmp_path, GOOD.replace("broadcasts:\n", "broadcast:\n"))
    assert "'broadcast' is not a name the bot knows at the top level" in str(error)
    assert "line 6:" in str(error)
    error = refused(tmp_path, "members: 18 months\n")
    assert "'members:' must have its settings under it" in str(error)


def test_the_strict_reader_catches_layout_mistakes(tmp_path: Path) -> None:
    assert "tab" in str(refused(tmp_path, GOOD.replace("  ask", "\task")))
    twice = GOOD.replace(
        "  delete_after: 2 years\n", "  delete_after: 2 years\n  delete_after: 3 years\n"
    )
    assert "written twice" in str(refused(tmp_path, twice))
    with pytest.raises(ConfigError, match="missing"):
        load_retention(tmp_path / "no-such-file.yaml")
    assert "the file needs the sections" in str(refused(tmp_path, "- 18 months\n"))
    assert "the file needs the sections" in str(refused(tmp_path, ""))


# Hostile values: whatever is written, the file loads within the limits or is refused plainly.

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.builds(
        lambda n, unit, gap: f"{n}{' ' * gap}{unit}",
        st.integers(min_value=-5, max_value=10**7),
        st.sampled_from(["day", "days", "weeks", "month", "years", "Days", "yrs", "d", "٣"]),
        st.integers(min_value=0, max_value=3),
    ),
)
FIELDS = ["18 months", "30 days", "90 days", "2 years", "12 months"]


def yaml_scalar(value: object) -> str:
    """The value written as YAML would read it back."""
    import yaml

    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        .strip()
        .removesuffix("\n...")
    )


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=HOSTILE, field=st.sampled_from(FIELDS))
def test_hostile_values_are_refused_or_within_limits(
    tmp_path: Path, value: object, field: str
) -> None:
    text = GOOD.replace(field, yaml_scalar(value), 1)
    try:
        policy = load_retention(write(tmp_path, text))
    except ConfigError as error:
        assert "retention.yaml" in str(error)
        return
    limits = {
        "ask_after_no_activity": (90, 3650),
        "remove_after_no_answer": (7, 365),
        "contact_notes": (7, 3650),
        "finished_broadcasts": (7, 3650),
        "audit_entries": (90, 7300),
        "survey_answers": (30, 3650),
    }
    for name, (low, high) in limits.items():
        duration = getattr(policy, name)
        assert low <= duration.rough_days <= high
        # Every accepted time can be used on any date without failing.
        assert duration.before(START) < START < duration.after(START)


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_any_bytes_are_read_or_refused_plainly(data: bytes) -> None:
    import contextlib
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "retention.yaml"
        path.write_bytes(data)
        with contextlib.suppress(ConfigError):
            load_retention(path)


def test_months_and_years_follow_the_calendar() -> None:
    end_of_march = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    assert Duration(1, MONTH).before(end_of_march) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert Duration(18, MONTH).before(end_of_march) == datetime(2025, 9, 30, 12, 0, tzinfo=UTC)
    leap_day = datetime(2028, 2, 29, tzinfo=UTC)
    assert Duration(1, YEAR).after(leap_day) == datetime(2029, 2, 28, tzinfo=UTC)
    assert Duration(2, WEEK).before(end_of_march) == datetime(2027, 3, 17, 12, 0, tzinfo=UTC)
    assert Duration(1, YEAR).words() == "1 year" and Duration(90, DAY).words() == "90 days"


# Survey answers (surveys.delete_answers_after_closing)


def test_survey_answers_are_read_and_explained_to_a_non_programmer(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    section = text.split("surveys:")[1]
    assert "delete_answers_after_closing: 12 months" in section
    assert "Shortest 1 month, longest 10 years." in section
    assert "after the survey closes" in section
    policy = load_retention(write(tmp_path, GOOD.replace("12 months", "2 years")))
    assert policy.survey_answers == Duration(2, YEAR)
    edges = GOOD.replace("12 months", "1 month")
    assert load_retention(write(tmp_path, edges)).survey_answers == Duration(1, MONTH)
    edges = GOOD.replace("12 months", "10 years")
    assert load_retention(write(tmp_path, edges)).survey_answers == Duration(10, YEAR)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("3 weeks", "is 3 weeks; it must be from 1 month to 10 years"),
        ("29 days", "is 29 days; it must be from 1 month to 10 years"),
        ("0 months", "it must be from 1 month to 10 years"),
        ("11 years", "is 11 years; it must be from 1 month to 10 years"),
        ("130 months", "is 130 months; it must be from 1 month to 10 years"),
        ("12", "needs a number and a unit"),
        ("a year", "whole number and then days, weeks, months or years"),
    ],
)
def test_survey_answers_too_short_too_long_or_wrong_name_the_line(
    tmp_path: Path, value: str, words: str
) -> None:
    message = str(refused(tmp_path, GOOD.replace("12 months", value)))
    assert message.startswith(str(tmp_path / "retention.yaml"))
    assert "line 11:" in message
    assert "'delete_answers_after_closing'" in message and words in message


def test_a_missing_surveys_section_or_setting_says_what_to_add(tmp_path: Path) -> None:
    without = GOOD.replace("surveys:\n  delete_answers_after_closing: 12 months\n", "")
    error = str(refused(tmp_path, without))
    assert "the section 'surveys:' is missing" in error
    assert "'delete_answers_after_closing'" in error
    error = str(refused(tmp_path, GOOD.replace("  delete_answers_after_closing: 12 months\n", "")))
    assert "line 10: 'surveys:' must have its settings under it" in error
    error = str(refused(tmp_path, GOOD.replace("delete_answers_after_closing", "delete_after")))
    assert "line 11: 'delete_after' is not a name the bot knows under 'surveys:'" in error
    assert "'delete_answers_after_closing'" in error  # the name it knows instead
    error = str(refused(tmp_path, GOOD.replace("surveys:", "survey:")))
    assert "line 10: 'survey' is not a name the bot knows at the top level" in error


async def test_the_bot_does_not_start_on_a_broken_file(tmp_path: Path) -> None:
    broken = write(tmp_path, GOOD.replace("90 days", "90 dayz", 1))
    settings_ = make_settings(tmp_path, retention_file=broken)
    with pytest.raises(ConfigError, match="line 5"):
        await build_services(settings_, Clock(START))
    assert not (tmp_path / "forum.db").exists()  # all or nothing: not even the database
