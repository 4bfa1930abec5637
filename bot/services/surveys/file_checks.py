"""What every part of a survey file is checked with: the limits, the keys each part may hold,
and the plain checks (known keys, words, yes or no) whose refusals name the line and the fix."""

from __future__ import annotations

import difflib
import math
import re

from bot.services.surveys.definition import CHOICE, CHOICES, NUMBER, SCALE, SECTION, TEXT
from config.errors import ConfigError
from config.yamlfile import line_of

# Ids travel in callback data (`svp:<survey>:<question>:<option>`), so they are short and plain.
ID_PATTERN = re.compile(r"^[a-z0-9_]{1,16}$")
# A file's name (without .yaml) is its key, shown to coordinators and kept with a survey.
KEY_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
SUFFIX = ".yaml"

LARGEST_FILE = 256 * 1024  # bytes: far more than 80 questions need
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_QUESTIONS = 50  # answerable questions in one survey
MAX_ENTRIES = 80  # questions and section headings together
MAX_TEXT_LENGTH = 2000  # the most a text question may allow
DEFAULT_TEXT_LENGTH = 500
NUMBER_LIMIT = 1e12  # bounds of a number question, either way
# Longest words per field, so each fits a phone screen (button words shortest).
LONGEST = {
    "title": 100,
    "intro": 500,
    "purpose": 800,
    "who_runs": 800,
    "who_sees": 800,
    "kept_for": 800,
    "text": 1000,
    "heading": 200,
    "option": 60,
    "low_label": 40,
    "high_label": 40,
}

TOP_KEYS = ("title", "audience", "anonymous", "intro", "consent", "questions")
CONSENT_KEYS = ("purpose", "who_runs", "who_sees", "kept_for")
CONDITION_KEYS = ("question", "any_of", "at_least", "at_most")
_COMMON_KEYS = ("id", "kind", "text", "optional", "show_if")
QUESTION_KEYS = {
    CHOICE: (*_COMMON_KEYS, "options"),
    CHOICES: (*_COMMON_KEYS, "options"),
    SCALE: (*_COMMON_KEYS, "low_label", "high_label"),
    NUMBER: (*_COMMON_KEYS, "minimum", "maximum", "decimals"),
    TEXT: (*_COMMON_KEYS, "max_length"),
    SECTION: ("id", "kind", "text"),
}
# Which kinds a key belongs to, in words, for "'options' is only for ..." messages.
_BELONGS = {
    "options": "choice and choices questions",
    "low_label": "scale questions",
    "high_label": "scale questions",
    "minimum": "number questions",
    "maximum": "number questions",
    "decimals": "number questions",
    "max_length": "text questions",
    "optional": "questions (a section heading is never answered)",
    "show_if": "questions (put show_if on the questions under a heading instead)",
}
QUOTE_FIX = (
    "YAML reads yes, no, on, off, true and false as a yes/no value. Put the words in double "
    'quotes, like "Yes".'
)


def line_at(container: object, key: object = None) -> str:
    """'line N: ' for a place in the file, or '' when it is not known."""
    line = line_of(container, key)
    return f"line {line}: " if line else ""


def shown(value: object) -> str:
    """A value as it would read in a message: text quoted, nothing as 'nothing'."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, dict):
        return "a group of lines"
    if isinstance(value, list):
        return "a list"
    return str(value)


def bound_words(value: float) -> str:
    """A bound in words: 5, 2.5, 1,000."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def paragraphs(value: str) -> str:
    """Words as a file holds them, read like a letter: a line break inside a paragraph is a
    space (authors may wrap lines anywhere) and an empty line starts a new paragraph."""
    paragraphs = re.split(r"\n\s*\n", value.strip())
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


class FileChecks:
    """The plain checks on one parsed survey file, raising ConfigError at the first mistake."""

    def __init__(self, source: str) -> None:
        """Set up for one file."""
        self.source = source

    def fail(self, entry: str | None, where: str, problem: str) -> ConfigError:
        """The error for one mistake: the line first, then what to do."""
        return ConfigError(self.source, where + problem, entry=entry)

    # The whole file

    def known_keys(
        self,
        entry: str | None,
        block: dict,
        known: tuple[str, ...],
        where: str,
        kind: str | None = None,
    ) -> None:
        """Refuse a name the bot does not know here (most often a typing slip)."""
        for key in block:
            if isinstance(key, str) and key in known:
                continue
            at = line_at(block, key)
            if kind is not None and key in _BELONGS:
                raise self.fail(
                    entry,
                    at,
                    f"'{key}' is only for {_BELONGS[key]}, and this is a {kind}"
                    f"{' heading' if kind == SECTION else ' question'}. Remove it, or change "
                    "the kind.",
                )
            hint = difflib.get_close_matches(str(key), known, n=1) if isinstance(key, str) else []
            fix = f" Did you mean '{hint[0]}'?" if hint else ""
            raise self.fail(
                entry,
                at,
                f"{shown(key) if isinstance(key, str) else repr(key)} is not a name the bot "
                f"knows {where}.{fix} It knows: {', '.join(known)}.",
            )

    def words(
        self,
        entry: str | None,
        block: dict,
        name: str,
        longest: int,
        *,
        required: bool = True,
        multiline: bool = True,
    ) -> str:
        """Some words people read; spaces at either end trimmed."""
        value = block.get(name)
        at = line_at(block, name) or line_at(block)
        if isinstance(value, bool):
            raise self.fail(entry, at, f"'{name}' is read as yes/no. {QUOTE_FIX}")
        if isinstance(value, int | float) and math.isfinite(value):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not required:
                return ""
            raise self.fail(
                entry, at, f"'{name}' is missing or empty. Write the words after '{name}:'."
            )
        if not isinstance(value, str):
            raise self.fail(
                entry,
                at,
                f"'{name}' must be words, not {shown(value)}. If the words hold a colon (:), "
                "put them in double quotes.",
            )
        text = paragraphs(value) if multiline else " ".join(value.split())
        if len(text) > longest:
            raise self.fail(
                entry,
                at,
                f"'{name}' has {len(text)} characters; it may have at most {longest}. Make "
                "it shorter.",
            )
        return text

    def yes_no(self, entry: str | None, block: dict, name: str, *, default: bool | None) -> bool:
        """A yes/no setting; ``default`` None means it must be written."""
        if name not in block and default is not None:
            return default
        value = block.get(name)
        if not isinstance(value, bool):
            raise self.fail(
                entry,
                line_at(block, name),
                f"'{name}' is {shown(value)}. Write '{name}: yes' or '{name}: no'.",
            )
        return value
