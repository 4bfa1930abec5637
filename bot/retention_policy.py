"""How long data is kept: config/retention.yaml, read strictly and checked whole.

Each time is written as a whole number and a unit ("90 days", "18 months", "2 years"); every
one has a shortest and a longest value, so a slip of the keyboard cannot delete everything.
Any mistake is a ConfigError naming the file, the line and what to write instead.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from config.errors import ConfigError
from config.yamlfile import line_of, read_yaml

DAY, WEEK, MONTH, YEAR = "day", "week", "month", "year"
# Roughly how many days each unit is, only to compare a time with its limits.
_ROUGH_DAYS = {DAY: 1, WEEK: 7, MONTH: 30, YEAR: 365}
_UNITS = {
    "day": DAY,
    "days": DAY,
    "week": WEEK,
    "weeks": WEEK,
    "month": MONTH,
    "months": MONTH,
    "year": YEAR,
    "years": YEAR,
}
_DURATION = re.compile(r"^([0-9]{1,5}) *([a-z]+)$")
EXAMPLE = "like 90 days, 6 weeks, 18 months or 2 years"


@dataclass(frozen=True)
class Duration:
    """A length of time as people write it: a whole number of days, weeks, months or years."""

    amount: int
    unit: str

    def __post_init__(self) -> None:
        """Refuse units that are not days, weeks, months or years."""
        if self.unit not in _ROUGH_DAYS:
            raise ValueError(f"unknown unit {self.unit!r}")

    @property
    def rough_days(self) -> int:
        """About how many days this is (months as 30, years as 365), for limits only."""
        return self.amount * _ROUGH_DAYS[self.unit]

    def words(self) -> str:
        """As written in the file: '18 months', '1 year'."""
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"

    def before(self, moment: datetime) -> datetime:
        """This long before ``moment``; months and years by the calendar (31 March less one
        month is 28 or 29 February)."""
        if self.unit in (DAY, WEEK):
            return moment - timedelta(days=self.rough_days)
        months = self.amount * (12 if self.unit == YEAR else 1)
        return _add_months(moment, -months)

    def after(self, moment: datetime) -> datetime:
        """This long after ``moment``, by the calendar like ``before``."""
        if self.unit in (DAY, WEEK):
            return moment + timedelta(days=self.rough_days)
        months = self.amount * (12 if self.unit == YEAR else 1)
        return _add_months(moment, months)


def _add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months, the day kept or cut to the month's last."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept."""

    ask_after_no_activity: Duration
    remove_after_no_answer: Duration
    contact_notes: Duration
    finished_broadcasts: Duration
    audit_entries: Duration
    survey_answers: Duration  # a closed survey's finished responses and answers
    source: str = "config/retention.yaml"


DEFAULT_POLICY = RetentionPolicy(
    ask_after_no_activity=Duration(18, MONTH),
    remove_after_no_answer=Duration(30, DAY),
    contact_notes=Duration(90, DAY),
    finished_broadcasts=Duration(90, DAY),
    audit_entries=Duration(2, YEAR),
    survey_answers=Duration(12, MONTH),
)


@dataclass(frozen=True)
class _Rule:
    """One setting in the file: where it is, which field it fills, and its limits."""

    section: str
    name: str
    field: str
    shortest: Duration
    longest: Duration


_RULES = (
    _Rule(
        "members",
        "ask_after_no_activity",
        "ask_after_no_activity",
        Duration(3, MONTH),
        Duration(10, YEAR),
    ),
    _Rule(
        "members",
        "remove_after_no_answer",
        "remove_after_no_answer",
        Duration(7, DAY),
        Duration(1, YEAR),
    ),
    _Rule(
        "contact_notes",
        "delete_after_done",
        "contact_notes",
        Duration(7, DAY),
        Duration(10, YEAR),
    ),
    _Rule(
        "broadcasts",
        "delete_after_finished",
        "finished_broadcasts",
        Duration(7, DAY),
        Duration(10, YEAR),
    ),
    _Rule("audit_log", "delete_after", "audit_entries", Duration(3, MONTH), Duration(20, YEAR)),
    _Rule(
        "surveys",
        "delete_answers_after_closing",
        "survey_answers",
        Duration(1, MONTH),
        Duration(10, YEAR),
    ),
)
_SECTIONS: dict[str, list[str]] = {}
for _rule in _RULES:
    _SECTIONS.setdefault(_rule.section, []).append(_rule.name)


def load_retention(path: Path) -> RetentionPolicy:
    """Read and check the retention file; any mistake raises ConfigError and nothing is
    loaded."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(
            source,
            "the file needs the sections members, contact_notes, broadcasts, audit_log and "
            "surveys. "
            "Put back the file that came with the bot and change only the times.",
        )
    _refuse_unknown(source, raw, None, list(_SECTIONS))
    values: dict[str, Duration] = {}
    for section, names in _SECTIONS.items():
        block = raw.get(section)
        if section not in raw:
            raise ConfigError(
                source,
                f"the section '{section}:' is missing. Put it back with "
                + ", ".join(f"'{name}'" for name in names)
                + " under it.",
                entry=section,
            )
        if not isinstance(block, dict):
            raise ConfigError(
                source,
                _at(raw, section)
                + f"'{section}:' must have its settings under it, each on its own line, "
                "indented by two spaces, like '  " + names[0] + ": 90 days'.",
                entry=section,
            )
        _refuse_unknown(source, block, section, names)
    for rule in _RULES:
        block = raw[rule.section]
        entry = f"{rule.section}.{rule.name}"
        if rule.name not in block:
            raise ConfigError(
                source,
                _at(block, None)
                + f"'{rule.name}' is missing under '{rule.section}:'. Add it, {EXAMPLE}.",
                entry=entry,
            )
        values[rule.field] = _duration(source, block, rule, entry)
    return RetentionPolicy(source=source, **values)


def _at(container: object, key: object) -> str:
    """'Line 12: ' for a place in the file, or '' when the line is not known."""
    line = line_of(container, key)
    return f"line {line}: " if line else ""


def _refuse_unknown(source: str, block: dict, section: str | None, known: list[str]) -> None:
    """Refuse a name the bot does not know (most often a typing slip)."""
    for key in block:
        if key not in known:
            where = f"under '{section}:'" if section else "at the top level"
            raise ConfigError(
                source,
                _at(block, key)
                + f"'{key}' is not a name the bot knows {where}. It knows "
                + ", ".join(f"'{name}'" for name in known)
                + ". Check the spelling.",
                entry=str(key) if section is None else f"{section}.{key}",
            )


def _duration(source: str, block: dict, rule: _Rule, entry: str) -> Duration:
    """Read one time, like '90 days', and check it is within the rule's limits."""
    value = block[rule.name]
    where = _at(block, rule.name)
    limits = f"from {rule.shortest.words()} to {rule.longest.words()}"
    if not isinstance(value, str):
        raise ConfigError(
            source,
            where + f"'{rule.name}' needs a number and a unit, {EXAMPLE} ({limits}).",
            entry=entry,
        )
    match = _DURATION.match(value.strip().lower())
    unit = _UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise ConfigError(
            source,
            where + f"'{rule.name}' should be a whole number and then days, weeks, months or "
            f"years, {EXAMPLE} ({limits}).",
            entry=entry,
        )
    duration = Duration(int(match.group(1)), unit)
    if not rule.shortest.rough_days <= duration.rough_days <= rule.longest.rough_days:
        raise ConfigError(
            source,
            where + f"'{rule.name}' is {duration.words()}; it must be {limits}.",
            entry=entry,
        )
    return duration
