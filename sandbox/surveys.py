"""The sandbox's "Surveys" panel: any survey file in SURVEYS_DIR shown as a member would see it.

For a co-production session: the consent screen and every question drawn by the bot's own views
(handlers/surveys/views.py, the same text catalogue and buttons a member gets), each with its
skip rule and whether it can be skipped in plain words; or, for a broken file, what to fix and on
which line. Files are read again on every look, so an edit shows at once. The words about skip
rules are for the people reviewing, not for members, so they live here and not in the catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.retention_policy import Duration
from bot.services.surveys.definition import (
    CHOICE,
    CHOICES,
    FORUM,
    HUB,
    NUMBER,
    REGION,
    SCALE,
    SECTION,
    TEXT,
    Condition,
    Question,
    Survey,
)
from bot.services.surveys.files import survey_files
from bot.services.surveys.flow import number_words, section_of
from bot.services.surveys.records import QUESTION, Position
from bot.texts import Texts
from handlers.surveys.views import SurveyViews

PREVIEW_DATA = "preview"  # every button's data in a preview: pressing one answers nothing
KIND_WORDS = {
    CHOICE: "One choice",
    CHOICES: "Several choices",
    SCALE: "Scale from 1 to 5",
    NUMBER: "A typed number",
    TEXT: "Typed words",
    SECTION: "Section heading",
}
AUDIENCE_WORDS = {
    FORUM: "Everyone in the forum",
    REGION: "One region (the coordinator picks it)",
    HUB: "One hub (the coordinator picks it)",
}


def survey_list(folder: Path) -> list[dict[str, Any]]:
    """Every survey file in the folder: its key, its title, or what is wrong with it."""
    return [
        {
            "key": found.key,
            "file": found.path.name,
            "title": found.survey.title if found.survey is not None else None,
            "error": str(found.error) if found.error is not None else None,
        }
        for found in survey_files(folder)
    ]


def survey_preview(
    folder: Path, key: str, texts: Texts, zone: ZoneInfo, answers_kept: Duration | None = None
) -> dict[str, Any]:
    """One survey file as a member would see it, or what is wrong with it (even a file whose
    name is wrong); KeyError when the folder has no such file. ``answers_kept``: the
    retention policy's time, said on the consent screen."""
    found = next((f for f in survey_files(folder) if f.key == key), None)
    if found is None:
        raise KeyError(key)
    if found.survey is None:
        return {"key": key, "error": str(found.error), "messages": []}
    survey = found.survey
    views = SurveyViews(texts, zone, answers_kept)
    answerable = survey.answerable
    numbers = {q.id: n for n, q in enumerate(answerable, 1)}
    consent = Position.preview(survey)
    messages = [
        _message(
            views.consent(consent.survey_id, survey.title, survey, data=_preview_data),
            what="What members read before they agree to start",
        )
    ]
    last_section: Question | None = None
    for number, question in enumerate(answerable, 1):
        section = section_of(survey, question.id)
        position = Position.preview(
            survey,
            QUESTION,
            question=question,
            section=section if section is not None and section != last_section else None,
            number=number,
            about_total=len(answerable),
            can_go_back=number > 1,
        )
        last_section = section
        messages.append(
            _message(
                views.question(position, data=_preview_data),
                what=f"Question {number}: {KIND_WORDS[question.kind]}",
                question=question,
                rule=rule_words(survey, question.show_if, numbers),
            )
        )
    return {
        "key": key,
        "error": None,
        "title": survey.title,
        "about": [
            f"For: {AUDIENCE_WORDS[survey.audience]}",
            "Anonymous: answers are kept with no link to the person"
            if survey.anonymous
            else "Not anonymous: answers are kept with the person's name",
            f"{len(answerable)} question{'' if len(answerable) == 1 else 's'}, "
            f"{sum(q.optional for q in answerable)} of them can be skipped, "
            f"{sum(q.show_if is not None for q in answerable)} shown only after some answers",
        ],
        "messages": messages,
    }


def rule_words(survey: Survey, rule: Condition | None, numbers: dict[str, int]) -> str | None:
    """A skip rule in plain words: 'Asked only when question 1 ("Did you go?") is answered
    "Yes" or "Maybe".'"""
    if rule is None:
        return None
    target = survey.question(rule.question)
    assert target is not None  # the file reader checked it
    name = f'question {numbers[target.id]} ("{target.text}")'
    if rule.any_of:
        labels = [f'"{o.label}"' for o in target.options if o.id in rule.any_of]
        chosen = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
        verb = "has" if target.kind == CHOICES else "is answered"
        chosen = f"{chosen} ticked" if target.kind == CHOICES else chosen
        return f"Asked only when {name} {verb} {chosen}."
    low, high = rule.at_least, rule.at_most
    if low is not None and high is not None:
        span = f"from {number_words(low)} to {number_words(high)}"
    elif low is not None:
        span = f"{number_words(low)} or more"
    elif high is not None:
        span = f"{number_words(high)} or less"
    else:
        span = "anything (not skipped)"
    return f"Asked only when the answer to {name} is {span}."


def _preview_data(*parts: object) -> str:
    """The callback data of a preview's buttons: the same harmless word for all."""
    return PREVIEW_DATA


def _message(
    view: tuple[str, InlineKeyboardMarkup | None],
    *,
    what: str,
    question: Question | None = None,
    rule: str | None = None,
) -> dict[str, Any]:
    """One message of the preview as the page draws it: its HTML, buttons and notes."""
    html, markup = view
    rows = markup.inline_keyboard if markup is not None else ()
    notes = []
    if question is not None:
        notes.append(
            "Can be skipped." if question.optional else "Needs an answer (it cannot be skipped)."
        )
        if rule is not None:
            notes.append(rule)
        notes.append(f"Id in the file: {question.id} (line {question.line})")
    return {
        "what": what,
        "html": html,
        "buttons": [[{"text": button.text} for button in row] for row in rows],
        "notes": notes,
    }
