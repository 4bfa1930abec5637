"""What a survey is, as read from its file in config/surveys/: consent, questions and skip rules.

These records are plain values shared by the file reader (`files.py`), the order of questions
(`flow.py`), the service, the results and the handlers. A running survey keeps its own copy
(`to_json` / `from_json`), so editing the file never changes a survey that is already out.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# Question kinds, as written in a survey file.
CHOICE, CHOICES, SCALE, NUMBER, TEXT, SECTION = (
    "choice",  # one choice from a list of options
    "choices",  # several choices from a list of options
    "scale",  # a whole number from 1 to 5
    "number",  # a number typed by the member
    "text",  # a short free text typed by the member
    "section",  # a heading shown before the questions that follow; not answered
)
KINDS = (CHOICE, CHOICES, SCALE, NUMBER, TEXT, SECTION)
SCALE_VALUES = (1, 2, 3, 4, 5)

# An answer, as kept while a member answers and in a finished response:
#   choice  -> the option id (str)
#   choices -> the chosen option ids, in the file's order (tuple[str, ...]; may be empty only
#              when the member skipped, which is SKIPPED instead)
#   scale   -> 1..5 (int)
#   number  -> int, or float when the question allows decimals
#   text    -> the member's words (str)
# A question the member chose to skip holds SKIPPED; one never shown holds nothing at all.
SKIPPED = None
Answer = str | tuple[str, ...] | int | float | None

# Audience scopes a survey file may name (the coordinator picks the place at /newsurvey).
FORUM, REGION, HUB = "forum", "region", "hub"
SCOPES = (FORUM, REGION, HUB)


@dataclass(frozen=True)
class Option:
    """One option of a choice question: a short id used in skip rules and the CSV, and its label."""

    id: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier answer matches.

    For choice and choices questions `any_of` holds option ids (choices: any one chosen is
    enough); for a scale or number, `at_least` and/or `at_most` bound the answer. A skipped or
    unshown earlier question never matches."""

    question: str
    any_of: tuple[str, ...] = ()
    at_least: float | None = None
    at_most: float | None = None


@dataclass(frozen=True)
class Question:
    """One question (or a section heading) of a survey."""

    id: str
    kind: str
    text: str
    options: tuple[Option, ...] = ()  # choice and choices
    optional: bool = False  # the member may skip it
    show_if: Condition | None = None
    low_label: str = ""  # scale: the words for 1 ("Very hard")
    high_label: str = ""  # scale: the words for 5 ("Very easy")
    minimum: float | None = None  # number
    maximum: float | None = None  # number
    decimals: bool = False  # number: allow 2.5; otherwise whole numbers only
    max_length: int = 500  # text
    line: int = 0  # where it starts in its file (0 when not read from a file)

    @property
    def answerable(self) -> bool:
        """Whether the member answers it (a section heading is only shown)."""
        return self.kind != SECTION

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Consent:
    """The consent screen, in the survey author's words: what a member reads before they start."""

    purpose: str  # what it is for
    who_runs: str  # who runs it
    who_sees: str  # who sees the answers
    kept_for: str  # how long answers are kept
    # Skipping questions, stopping, carrying on and withdrawing are explained by the bot's own
    # catalogue text (the same in every survey), after these.


@dataclass(frozen=True)
class Survey:
    """A whole survey file."""

    key: str  # the file's name without .yaml: "getting_help_2027"
    title: str
    audience: str  # FORUM, REGION or HUB: which kind of place it is for
    anonymous: bool
    consent: Consent
    questions: tuple[Question, ...]
    intro: str = ""  # an optional line shown with the title
    source: str = ""  # the file it was read from, for messages; not kept with a running survey

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def answerable(self) -> tuple[Question, ...]:
        """The questions a member answers, in order (section headings left out)."""
        return tuple(q for q in self.questions if q.answerable)


def to_json(survey: Survey) -> str:
    """The survey as JSON text, to keep with a running survey in the database: every field but
    ``source``, an option as ``[id, label]``."""
    plain = asdict(survey)
    del plain["source"]
    for question in plain["questions"]:
        question["options"] = [[o["id"], o["label"]] for o in question["options"]]
    return json.dumps(plain, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Survey:
    """A survey kept with `to_json`."""
    data = json.loads(text)
    questions = tuple(_question(q) for q in data.pop("questions"))
    return Survey(**data | {"consent": Consent(**data["consent"]), "questions": questions})


def _question(data: dict) -> Question:
    """One question kept with `to_json`."""
    condition = data["show_if"]
    if condition is not None:
        condition = Condition(**condition | {"any_of": tuple(condition["any_of"])})
    options = tuple(Option(option_id, label) for option_id, label in data["options"])
    return Question(**data | {"options": options, "show_if": condition})
