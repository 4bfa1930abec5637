"""/newsurvey's draft and how each of its steps is asked and read: the survey file (broken ones
listed with their mistake, not choosable), the region or hub when the file is for one, when it
opens and closes (handlers/shared/opening.py) and which decision-makers get the results. The
order, the preview and opening it: handlers/surveys/newsurvey.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Update

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.errors import InvalidChoice
from bot.services.surveys import MIN_OPEN, CloseTooFar, SurveyFileBroken
from bot.services.surveys.definition import FORUM, HUB, REGION, Survey
from bot.texts import Markup
from handlers.series.repeat_step import RepeatFields, RepeatStep
from handlers.shared import audience_picker
from handlers.shared.common import ForumContext, say
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import DraftFields, Press
from handlers.shared.keyboards import Row, keyboard, labelled
from handlers.shared.opening import OpenClose, OpeningFields
from handlers.shared.readers_picker import ReaderFields, ReadersPicker

ACTION = "ns"  # ns:<draft id>:<what>[:<arg>]
STEP_BUTTONS, STEP_OPENS, STEP_CLOSES = "newsurvey_buttons", "newsurvey_opens", "newsurvey_closes"
STEP_RULE = "newsurvey_repeat_rule"  # a typed repeat rule (handlers/series/repeat_step.py)


@dataclass(frozen=True)
class Draft(DraftFields, OpeningFields, ReaderFields, RepeatFields):
    """A survey being opened (times in UTC)."""

    file_key: str = ""
    title: str = ""
    scope: str = ""  # the file's audience kind: forum, region or hub
    audience: Audience | None = None


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="create survey",
    button_step=STEP_BUTTONS,
    key="survey_draft",
    kind=Draft,
    texts="newsurvey.",
    buttons="newsurvey.button_",
    clear_step_when_gone=True,
)


# 1. The file


async def ask_file(update: Update, context: ForumContext, draft: Draft) -> None:
    """The survey files that read, one button each; broken ones listed with their mistake."""
    entries = await asyncio.to_thread(context.services.surveys.files)
    texts = context.services.texts
    ready = [entry for entry in entries if entry.error is None]
    broken = [entry for entry in entries if entry.error is not None]
    lines = ""
    if broken:
        lines = "\n\n" + texts.get("newsurvey.broken_intro")
        for entry in broken:
            lines += "\n" + texts.get("newsurvey.broken_line", key=entry.key, error=entry.error)
    rows = [
        [
            labelled(
                texts.plain("newsurvey.file_button", title=entry.title or entry.key),
                ACTION,
                draft.id,
                "f",
                entry.key,
            )
        ]
        for entry in ready
    ]
    key = "newsurvey.ask_file" if ready else "newsurvey.no_files"
    await say(
        update,
        context,
        key,
        keyboard([*rows, DRAFTS.cancel_row(context, draft)]),
        broken=Markup(lines),
    )


async def read_file(context: ForumContext, key: str) -> Survey:
    """The survey in that file, read now (SurveyFileBroken when it is missing or broken)."""
    return await asyncio.to_thread(context.services.surveys.survey_file, key)


async def choose_file(update: Update, context: ForumContext, press: Press) -> Draft | None:
    """A file chosen: read again now (it may have changed); a forum survey goes to everyone."""
    try:
        survey = await read_file(context, press.arg)
    except SurveyFileBroken as error:
        await say(update, context, "newsurvey.file_changed", error=error.detail)
        await DRAFTS.ask_step(update, context, press.draft, FILE)
        return None
    return press.draft.with_changes(
        file_key=survey.key,
        title=survey.title,
        scope=survey.audience,
        audience=Audience(EVERYONE) if survey.audience == FORUM else None,
    )


FILE = Step(missing=lambda d: not d.file_key, ask=ask_file, presses={"f": choose_file})


# 2. The region or hub


async def ask_place(update: Update, context: ForumContext, draft: Draft) -> None:
    """The regions, or every hub, as the file's audience says."""
    forum = context.services.forum
    plain = context.services.texts.plain
    if draft.scope == REGION:
        rows: list[Row] = [[labelled(r.name, ACTION, draft.id, "r", r.id)] for r in forum.regions]
        key = "newsurvey.pick_region"
    else:
        rows = [
            [
                labelled(
                    plain("broadcast.hub_in_region", hub=h.name, region=r.name),
                    ACTION,
                    draft.id,
                    "h",
                    h.id,
                )
            ]
            for r in forum.regions
            for h in r.hubs
        ]
        key = "newsurvey.pick_hub"
    await say(update, context, key, keyboard([*rows, DRAFTS.cancel_row(context, draft)]))


async def choose_place(update: Update, context: ForumContext, press: Press) -> Draft | None:
    """The region or hub chosen; only the kind of place the file is for."""
    if press.what != {REGION: "r", HUB: "h"}.get(press.draft.scope):
        raise InvalidChoice
    audience = await audience_picker.on_press(update, context, DRAFTS, press)
    return None if audience is None else press.draft.with_changes(audience=audience)


PLACE = Step(
    missing=lambda d: d.audience is None,
    ask=ask_place,
    presses={"r": choose_place, "h": choose_place},
)


# 3 and 4. When it opens and closes

TIMES = OpenClose(
    DRAFTS,
    times=lambda context: context.services.surveys,
    min_open=MIN_OPEN,
    too_far=CloseTooFar,
    awaits_opens=STEP_OPENS,
    awaits_closes=STEP_CLOSES,
)
REPEAT = RepeatStep(DRAFTS, awaits=STEP_RULE)  # just once, or a series (before the times)


# 5. Who gets the results (handlers/shared/readers_picker.py)

READERS = ReadersPicker(DRAFTS, service=lambda context: context.services.surveys)


def place_of(draft: Draft) -> Audience | None:
    """The audience a file of this kind starts with: everyone for a forum survey, else none."""
    return Audience(EVERYONE) if draft.scope == FORUM else None
