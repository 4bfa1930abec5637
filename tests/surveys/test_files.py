"""Survey files: the shipped example reads, and every mistake an author can make is refused with
the file, the line and a plain fix, nothing read."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    KINDS,
    NUMBER,
    SCALE,
    SECTION,
    TEXT,
    Condition,
    from_json,
    to_json,
)
from bot.services.surveys.files import (
    check_survey_folder,
    read_survey,
    read_survey_key,
    survey_files,
    survey_path,
)
from config.errors import ConfigError
from config.settings import CONFIG_DIR
from tests.surveys.survey_strategies import write

EXAMPLE = CONFIG_DIR / "surveys" / "example.yaml"
MARK = "# <-"  # in a test file below: the line the error must name

HEAD = """\
title: How the hubs feel
audience: hub
anonymous: no
consent:
  purpose: To hear how hub meetings feel.
  who_runs: The hub's peer researchers.
  who_sees: Coordinators see the answers.
  kept_for: Six months.
questions:
"""


def survey_text(questions: str, head: str = HEAD) -> str:
    """A survey file: the usual top part and these questions (written without indentation)."""
    return head + textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ") + "\n"


def refused(tmp_path: Path, text: str, name: str = "hub_feel.yaml") -> tuple[str, int | None]:
    """The error for this file's text, and the line marked in it (None when none is marked)."""
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as caught:
        read_survey(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    marked = [n for n, line in enumerate(text.splitlines(), 1) if MARK in line]
    return message, marked[0] if marked else None


def test_the_shipped_example_reads_with_every_kind_optional_questions_and_skip_logic() -> None:
    survey = read_survey(EXAMPLE)
    assert survey.key == "example"
    assert {q.kind for q in survey.questions} == set(KINDS)
    assert survey.anonymous and survey.audience == "forum"
    assert all(survey.consent.__dict__.values())
    assert any(q.optional for q in survey.questions)
    assert not all(q.optional for q in survey.answerable)
    rules = {q.id: q.show_if for q in survey.questions if q.show_if}
    # Both sorts of skip rule: on chosen options, and on a scale's answer.
    assert rules["which_services"] == Condition("used_crisis", ("once", "few_times", "many_times"))
    assert rules["what_was_hard"] == Condition("how_easy", at_most=2)
    # The example documents itself for people who do not write code.
    top = EXAMPLE.read_text(encoding="utf-8").split("\ntitle:")[0]
    for words in ("HOW TO WRITE A SURVEY FILE", "show_if", "optional", "sandbox", "/newsurvey"):
        assert words in top
    # A running survey keeps its own copy; the copy reads back the same.
    assert from_json(to_json(survey)) == survey.__class__(**{**survey.__dict__, "source": ""})


def test_every_shipped_survey_file_reads() -> None:
    assert "example" in [survey.key for survey in check_survey_folder(CONFIG_DIR / "surveys")]


def test_the_readmes_example_of_a_survey_file_reads(tmp_path: Path) -> None:
    readme = (CONFIG_DIR.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writing a survey file", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    survey = read_survey(write(tmp_path, "readme.yaml", example))
    assert [q.kind for q in survey.questions] == [SECTION, CHOICE, SCALE, TEXT]
    assert survey.question("what_was_hard").show_if == Condition("how_easy", at_most=2)


def test_each_kind_reads_with_its_own_settings(tmp_path: Path) -> None:
    text = survey_text(
        """
        - kind: section
          text: About you
        - id: age
          kind: number
          text: How old are you?
          minimum: 16
          maximum: 120
        - id: nights
          kind: number
          text: How many nights, on average?
          decimals: yes
          minimum: 0.5
        - id: mood
          kind: scale
          text: How do you feel about meetings?
          low_label: Not good
          high_label: Very good
          optional: yes
        - id: went
          kind: choice
          text: Did you go to the last meeting?
          options:
            "yes": "Yes"
            "no": "No"
            0: None of them
        - id: why
          kind: choices
          text: Why not?
          show_if:
            question: went
            any_of: "no"
          options:
            time: The time
            place: The place
        - id: better
          kind: text
          text: |
            What would make meetings
            better?

            Say as  much as you like.
          max_length: 800
          show_if:
            question: mood
            at_least: 1
            at_most: 2
        """
    )
    survey = read_survey(write(tmp_path, "hub_feel.yaml", text))
    section, age, nights, mood, went, why, better = survey.questions
    assert section.kind == SECTION and section.id == "section-1" and section.text == "About you"
    assert (age.kind, age.minimum, age.maximum, age.decimals) == (NUMBER, 16, 120, False)
    assert isinstance(age.minimum, int)
    assert (nights.minimum, nights.maximum, nights.decimals) == (0.5, None, True)
    assert (mood.kind, mood.low_label, mood.high_label, mood.optional) == (
        SCALE,
        "Not good",
        "Very good",
        True,
    )
    assert went.kind == CHOICE and not went.optional
    assert [(o.id, o.label) for o in went.options] == [
        ("yes", "Yes"),
        ("no", "No"),
        ("0", "None of them"),
    ]
    assert why.kind == CHOICES and why.show_if == Condition("went", ("no",))
    assert better.kind == TEXT and better.max_length == 800
    # Lines run on as one paragraph; an empty line starts a new one.
    assert better.text == "What would make meetings better?\n\nSay as much as you like."
    assert better.show_if == Condition("mood", at_least=1, at_most=2)
    assert age.line == 12 and went.line == 28  # where each starts, for messages


MISTAKES = {
    "unknown kind, with the nearest spelling": (
        """
        - id: went
          kind: choise  # <-
          text: Did you go?
        """,
        ["'choise' is not a kind of question", "Did you mean 'choice'?", "choices, scale"],
    ),
    "no kind": (
        """
        - id: went  # <-
          text: Did you go?
        """,
        ["has no 'kind:'"],
    ),
    "missing text": (
        """
        - id: went
          kind: scale
          text:  # <-
        """,
        ["'text' is missing or empty", "Write the words after 'text:'"],
    ),
    "text left out": (
        """
        - id: went  # <-
          kind: scale
        """,
        ["'text' is missing or empty"],
    ),
    "a choice with one option": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:  # <-
            went: I went
        """,
        ["has 1 option; a choice question needs 2 to 10"],
    ),
    "a choice with eleven options": (
        textwrap.dedent(
            """
            - id: went
              kind: choices
              text: Which?
              options:  # <-
            """
        )
        + "".join(f"    o{n}: Option {n}\n" for n in range(11)),
        ["has 11 options; a choice question needs 2 to 10"],
    ),
    "a choice with no options": (
        """
        - id: went  # <-
          kind: choice
          text: Did you go?
        """,
        ["a choice question needs 'options:'", "often: Often"],
    ),
    "options written as a list": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:  # <-
            - I went
            - I did not
        """,
        ["must be lines of an id and words"],
    ),
    "an option id written twice": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            went: I did not  # <-
        """,
        ["'went' is written twice"],
    ),
    "an option id twice, once as a number": (
        """
        - id: went
          kind: choice
          text: How many?
          options:
            1: One
            "1": Just one  # <-
        """,
        ["'1' is written twice", "Keep one and delete the other"],
    ),
    "two options with the same words": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            also: I Went  # <-
        """,
        ["two options read 'I Went'"],
    ),
    "an option id YAML reads as yes/no": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            yes: I went  # <-
            nope: I did not
        """,
        ["read as a yes/no value", '"yes": "Yes"'],
    ),
    "option words YAML reads as yes/no": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: Yes  # <-
            nope: I did not
        """,
        ["read as yes/no", 'double quotes, like "Yes"'],
    ),
    "option words too long for a button": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went to the meeting and stayed all the way to the very end of it  # <-
            nope: I did not
        """,
        ["button words may have at most 60"],
    ),
    "an option id with a capital and a space": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            I went: I went  # <-
            nope: I did not
        """,
        ["the option id 'I went' cannot be used", "lower-case"],
    ),
    "a question id used twice": (
        """
        - id: went
          kind: scale
          text: How was it?
        - id: went  # <-
          kind: scale
          text: How was the room?
        """,
        ["the id 'went' is used twice (also on line 10)", "its own id"],
    ),
    "a question with no id": (
        """
        - kind: scale  # <-
          text: How was it?
        """,
        ["has no 'id:'", "like 'id: used_service'"],
    ),
    "an id that cannot travel in a button": (
        """
        - id: How was it  # <-
          kind: scale
          text: How was it?
        """,
        ["the id 'How was it' cannot be used", "1 to 16 lower-case letters"],
    ),
    "an id too long": (
        """
        - id: how_was_the_meeting_today  # <-
          kind: scale
          text: How was it?
        """,
        ["1 to 16"],
    ),
    "a skip rule on a later question": (
        """
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            question: went
            any_of: [nope]
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
        """,
        ["'went', which comes later (line 16)", "move 'went' above this question"],
    ),
    "a skip rule on a missing question, with the nearest spelling": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            question: wnet
            any_of: [nope]
        """,
        ["show_if names 'wnet', but no question has that id", "Did you mean 'went'?"],
    ),
    "a skip rule on the same question": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
          show_if:  # <-
            question: went
            any_of: [nope]
        """,
        ["names this same question"],
    ),
    "a skip rule on a heading": (
        """
        - id: part_one
          kind: section
          text: Part one
        - id: why
          kind: scale
          text: How was it?
          show_if:  # <-
            question: part_one
            at_least: 2
        """,
        ["'part_one', a section heading, which has no answer"],
    ),
    "a skip rule on a free-text question": (
        """
        - id: said
          kind: text
          text: What happened?
        - id: why
          kind: scale
          text: How was it?
          show_if:  # <-
            question: said
            at_least: 2
        """,
        ["a free-text question; skip rules cannot read free text"],
    ),
    "two skip rules making a loop": (
        """
        - id: first
          kind: scale
          text: How was it?
          show_if:  # <-
            question: second
            at_least: 2
        - id: second
          kind: scale
          text: How was the room?
          show_if:
            question: first
            at_least: 2
        """,
        ["make a loop: 'first' -> 'second' -> 'first'", "Remove one of these show_if rules"],
    ),
    "a skip rule naming an option the question does not have": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
        - id: why
          kind: text
          text: Why?
          show_if:
            question: went
            any_of: [nop]  # <-
        """,
        ["'nop' is not an option of 'went'", "Did you mean 'nope'?", "went, nope"],
    ),
    "a skip rule with no options": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            question: went
        """,
        ["needs 'any_of:'", "Its options are: went, nope"],
    ),
    "a skip rule with bounds on a choice": (
        """
        - id: went
          kind: choice
          text: Did you go?
          options:
            went: I went
            nope: I did not
        - id: why
          kind: text
          text: Why?
          show_if:
            question: went
            at_least: 2  # <-
        """,
        ["uses 'any_of:' with its option ids, not 'at_least'"],
    ),
    "a skip rule with options on a scale": (
        """
        - id: mood
          kind: scale
          text: How was it?
        - id: why
          kind: text
          text: Why?
          show_if:
            question: mood
            any_of: [low]  # <-
        """,
        ["uses 'at_least:' and/or 'at_most:' with numbers, not 'any_of'"],
    ),
    "a skip rule on a scale with no bounds": (
        """
        - id: mood
          kind: scale
          text: How was it?
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            question: mood
        """,
        ["needs 'at_least:' and/or 'at_most:'"],
    ),
    "a scale bound outside 1 to 5": (
        """
        - id: mood
          kind: scale
          text: How was it?
        - id: why
          kind: text
          text: Why?
          show_if:
            question: mood
            at_most: 6  # <-
        """,
        ["a scale from 1 to 5, so 'at_most' must be a whole number from 1 to 5"],
    ),
    "skip bounds the wrong way round": (
        """
        - id: mood
          kind: scale
          text: How was it?
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            question: mood
            at_least: 4
            at_most: 2
        """,
        ["'at_least' (4) is more than 'at_most' (2)", "Swap them"],
    ),
    "a skip bound outside a number question's range": (
        """
        - id: age
          kind: number
          text: How old are you?
          minimum: 16
          maximum: 120
        - id: why
          kind: text
          text: Why?
          show_if:
            question: age
            at_least: 200  # <-
        """,
        ["'at_least' is 200, but answers to 'age' are from 16 to 120"],
    ),
    "a skip rule with no question named": (
        """
        - id: why
          kind: text
          text: Why?
          show_if:  # <-
            any_of: [x]
        """,
        ["show_if needs 'question:'"],
    ),
    "a skip rule written on one line": (
        """
        - id: why
          kind: text
          text: Why?
          show_if: went  # <-
        """,
        ["show_if needs lines under it"],
    ),
    "a typo in a skip rule's part": (
        """
        - id: mood
          kind: scale
          text: How was it?
        - id: why
          kind: text
          text: Why?
          show_if:
            question: mood
            at_lest: 2  # <-
        """,
        ["'at_lest' is not a name the bot knows under 'show_if:'", "Did you mean 'at_least'?"],
    ),
    "a number's minimum above its maximum": (
        """
        - id: age
          kind: number
          text: How old are you?
          minimum: 120
          maximum: 16  # <-
        """,
        ["'maximum' (16) must be more than 'minimum' (120)"],
    ),
    "a half bound on a whole-number question": (
        """
        - id: age
          kind: number
          text: How old are you?
          minimum: 0.5  # <-
        """,
        ["takes whole numbers only", "add 'decimals: yes'"],
    ),
    "a bound that is words": (
        """
        - id: age
          kind: number
          text: How old are you?
          maximum: lots  # <-
        """,
        ["'maximum' must be a number"],
    ),
    "a huge bound": (
        """
        - id: age
          kind: number
          text: How old are you?
          maximum: 1.0e+20  # <-
        """,
        ["too far from zero"],
    ),
    "a text question's length of 0": (
        """
        - id: said
          kind: text
          text: What happened?
          max_length: 0  # <-
        """,
        ["'max_length' is 0", "from 1 to 2000"],
    ),
    "optional written as maybe": (
        """
        - id: said
          kind: text
          text: What happened?
          optional: maybe  # <-
        """,
        ["'optional' is 'maybe'", "'optional: yes' or 'optional: no'"],
    ),
    "a typo in a question's key": (
        """
        - id: said
          kind: text
          text: What happened?
          optinal: yes  # <-
        """,
        ["'optinal' is not a name the bot knows in a text question", "Did you mean 'optional'?"],
    ),
    "a key that belongs to another kind": (
        """
        - id: mood
          kind: scale
          text: How was it?
          options:  # <-
            a: A
            b: B
        """,
        ["'options' is only for choice and choices questions", "this is a scale question"],
    ),
    "a heading with a skip rule": (
        """
        - id: part
          kind: section
          text: Part two
          show_if:  # <-
            question: x
        """,
        ["'show_if' is only for questions", "this is a section heading"],
    ),
    "a question that is a plain line": (
        """
        - How was it?  # <-
        """,
        ["question 1 must be lines like 'id:'"],
    ),
    "only headings": (
        """
        - kind: section
          text: Part one
        """,
        ["no questions to answer, only section headings"],
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_names_the_file_the_line_and_a_fix(tmp_path: Path, mistake: str) -> None:
    questions, expected = MISTAKES[mistake]
    message, line = refused(tmp_path, survey_text(questions))
    if line is not None:
        assert re.search(rf"line {line}\b", message), message
    for words in expected:
        assert words in message, message


TOP_MISTAKES = {
    "an empty file": ("", ["the file is empty", "example.yaml"]),
    "a list at the top": ("- title: x\n", ["must start with 'title:'"]),
    "no title": (HEAD.replace("title: How the hubs feel\n", ""), ["'title:' line is missing"]),
    "an audience the bot does not know": (
        HEAD.replace("audience: hub", "audience: national  # <-"),
        ["'audience' is 'national'", "forum (everyone), region", "hub"],
    ),
    "anonymous left out": (
        HEAD.replace("anonymous: no\n", ""),
        ["'anonymous:' line is missing", "'anonymous: yes'"],
    ),
    "anonymous as words": (
        HEAD.replace("anonymous: no", "anonymous: sometimes  # <-"),
        ["'anonymous' is 'sometimes'", "'anonymous: yes' or 'anonymous: no'"],
    ),
    "how long answers are kept left out": (
        HEAD.replace("  kept_for: Six months.\n", ""),
        ["'kept_for:' is missing under 'consent:'", "how long the answers are kept"],
    ),
    "who sees the answers left empty": (
        HEAD.replace("who_sees: Coordinators see the answers.", 'who_sees: ""  # <-'),
        ["'who_sees' is missing or empty"],
    ),
    "consent on one line": (
        HEAD.replace("consent:\n", "consent: yes\nconsent_was:  # <-\n"),
        ["'consent_was' is not a name the bot knows at the top", "Did you mean 'consent'?"],
    ),
    "a title that is far too long": (
        HEAD.replace("title: How the hubs feel", "title: " + "Long " * 30 + " # <-"),
        ["'title' has 149 characters; it may have at most 100"],
    ),
    "no questions": (HEAD + "  []\n", ["'questions:' needs a list under it"]),
    "a tab": (HEAD.replace("  purpose:", "\tpurpose:"), ["has a tab", "Use spaces"]),
    "not YAML": (HEAD.replace("title: How", "title: [How"), ["not valid YAML"]),
}


@pytest.mark.parametrize("mistake", list(TOP_MISTAKES))
def test_mistakes_at_the_top_are_named_too(tmp_path: Path, mistake: str) -> None:
    head, expected = TOP_MISTAKES[mistake]
    text = (
        head
        if head == "" or "questions:" not in head
        else survey_text(
            """
        - id: mood
          kind: scale
          text: How was it?
        """,
            head,
        )
    )
    if mistake in ("no questions", "an empty file", "a list at the top"):
        text = head
    message, line = refused(tmp_path, text)
    if line is not None:
        assert re.search(rf"line {line}\b", message), message
    for words in expected:
        assert words in message, message


def test_too_many_questions_says_split_it(tmp_path: Path) -> None:
    many = "".join(f"- id: q{n}\n  kind: scale\n  text: Question {n}?\n" for n in range(51))
    message, _ = refused(tmp_path, survey_text(many))
    assert "there are 51 questions; at most 50 fit in one survey" in message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Hub Feel.yaml", "must be 1 to 32 lower-case letters"),
        ("hub-feel.yaml", "Rename the file"),
        ("hub_feel.yml", "must end in .yaml"),
    ],
)
def test_a_file_name_that_cannot_be_a_key_is_refused(tmp_path: Path, name: str, words: str) -> None:
    message, _ = refused(tmp_path, survey_text("- id: a\n  kind: scale\n  text: How?\n"), name)
    assert words in message


def test_a_file_far_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    text = survey_text("- id: a\n  kind: scale\n  text: How?\n") + "#" * 300_000 + "\n"
    message, _ = refused(tmp_path, text)
    assert "a survey file may have at most 262,144" in message


def test_the_folder_lists_every_file_broken_ones_with_their_error(tmp_path: Path) -> None:
    good = survey_text("- id: a\n  kind: scale\n  text: How?\n")
    write(tmp_path, "b_good.yaml", good)
    write(tmp_path, "a_broken.yaml", good.replace("kind: scale", "kind: scael"))
    write(tmp_path, "c_old.yml", good)
    write(tmp_path, ".~lock.b_good.yaml#", "not a survey")
    write(tmp_path, ".hidden.yaml", "not a survey")
    write(tmp_path, "notes.txt", "not a survey")
    (tmp_path / "drafts.yaml").mkdir()

    files = survey_files(tmp_path)

    assert [f.key for f in files] == ["a_broken", "b_good", "c_old"]
    broken, fine, old = files
    assert broken.survey is None and "'scael' is not a kind" in str(broken.error)
    assert "a_broken.yaml" in str(broken.error) and "line 11: " in str(broken.error)
    assert fine.error is None and fine.survey is not None and fine.survey.key == "b_good"
    assert old.survey is None and "must end in .yaml" in str(old.error)
    # Start-up takes all or nothing: the first broken file stops it.
    with pytest.raises(ConfigError, match=r"a_broken\.yaml"):
        check_survey_folder(tmp_path)
    (tmp_path / "a_broken.yaml").unlink()
    (tmp_path / "c_old.yml").unlink()
    assert [s.key for s in check_survey_folder(tmp_path)] == ["b_good"]
    assert read_survey_key(tmp_path, "b_good") == fine.survey


def test_an_empty_folder_holds_no_surveys_and_a_missing_one_says_what_to_do(
    tmp_path: Path,
) -> None:
    assert check_survey_folder(tmp_path) == []
    with pytest.raises(ConfigError, match="SURVEYS_DIR"):
        survey_files(tmp_path / "nowhere")


@pytest.mark.parametrize("key", ["../secrets", "example/../x", "", "a" * 33, "Example", None])
def test_a_key_from_elsewhere_never_reaches_outside_the_folder(tmp_path: Path, key) -> None:
    with pytest.raises(ConfigError, match="no survey file called"):
        survey_path(tmp_path, key)
    with pytest.raises(ConfigError):
        read_survey_key(tmp_path, "missing")
