"""/contribution: a coordinator notes something a member did for the forum, on the shared
conversation steps: who (a name typed, then picked), what kind, a few words, the day (Today or
typed), a preview with the note the member will get, then save (the service writes it, the
audit entry and the note in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, Update

from bot.services.errors import InvalidChoice
from bot.services.progression import (
    CONTRIBUTION_KINDS,
    NAMES_LISTED,
    ContributionDraft,
    DayRefused,
    MemberLine,
)
from bot.texts import Markup
from handlers.progression.messages import day_words
from handlers.progression.report import messages_for
from handlers.shared.common import ForumContext, say
from handlers.shared.conversation import Conversation, Refusal, Step
from handlers.shared.drafts import DraftFields, Press
from handlers.shared.keyboards import keyboard, labelled

ACTION = "ctb"  # ctb:<draft id>:<what>[:<arg>]
STEP_BUTTONS = "contribution_buttons"
STEP_NAME = "contribution_name"
STEP_DETAIL = "contribution_detail"
STEP_DAY = "contribution_day"


@dataclass(frozen=True)
class Draft(DraftFields):
    """What the coordinator has chosen so far."""

    member_id: int | None = None
    name: str = ""
    kind: str = ""
    detail: str = ""
    day: date | None = None


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="record a contribution",
    button_step=STEP_BUTTONS,
    key="contribution_draft",
    kind=Draft,
    texts="progression.new_",
    buttons="progression.button_",
)


def _place(context: ForumContext, member: MemberLine) -> str:
    """Where a member is, to tell two of the same name apart."""
    forum = context.services.forum
    return (
        forum.hub_name(member.hub_id)
        or forum.region_name(member.region_id)
        or context.services.texts.plain("progression.no_place")
    )


def _member_button(context: ForumContext, draft: Draft, member: MemberLine) -> InlineKeyboardButton:
    """One member to pick: first name and place."""
    label = context.services.texts.plain(
        "progression.member_button", name=member.first_name, place=_place(context, member)
    )
    return labelled(label, ACTION, draft.id, "who", member.telegram_id)


async def read_name(update: Update, context: ForumContext, draft: Draft, text: str) -> None:
    """Find members by the name typed and offer them as buttons (the step stays open, so
    another name can be typed)."""
    words = " ".join(text.split())
    if len(words) < 2:
        raise Refusal("progression.new_too_short")
    found = await context.services.progression.find_members(update.effective_user.id, words)
    if not found:
        raise Refusal("progression.new_no_match", words=words)
    rows = [[_member_button(context, draft, m)] for m in found[:NAMES_LISTED]]
    rows.append(DRAFTS.cancel_row(context, draft))
    key = "progression.new_too_many" if len(found) > NAMES_LISTED else "progression.new_pick"
    await say(update, context, key, keyboard(rows))


async def picked(update: Update, context: ForumContext, press: Press) -> Draft:
    """A member picked: checked again in the service."""
    member = await context.services.progression.member(update.effective_user.id, press.number())
    return press.draft.with_changes(member_id=member.telegram_id, name=member.first_name)


async def ask_kind(update: Update, context: ForumContext, draft: Draft) -> None:
    """What kind of contribution, one button each."""
    rows = [
        [DRAFTS.button(context, f"progression.button_{kind}", draft, "kind", kind)]
        for kind in CONTRIBUTION_KINDS
    ]
    rows.append(DRAFTS.cancel_row(context, draft))
    await say(update, context, "progression.new_ask_kind", keyboard(rows), name=draft.name)


async def kind_chosen(update: Update, context: ForumContext, press: Press) -> Draft:
    """The kind pressed, checked against the list."""
    if press.arg not in CONTRIBUTION_KINDS:
        raise InvalidChoice
    return press.draft.with_changes(kind=press.arg)


async def ask_detail(update: Update, context: ForumContext, draft: Draft) -> None:
    """A few words about it."""
    await say(
        update,
        context,
        "progression.new_ask_detail",
        DRAFTS.only_cancel(context, draft),
        name=draft.name,
    )


async def read_detail(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The few words, checked by the service."""
    return draft.with_changes(detail=context.services.progression.read_detail(text))


async def ask_day(update: Update, context: ForumContext, draft: Draft) -> None:
    """When: Today, or a typed day."""
    rows = [
        [DRAFTS.button(context, "progression.button_today", draft, "today")],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "progression.new_ask_day", keyboard(rows))


async def read_day(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed day, or why not."""
    try:
        return draft.with_changes(day=context.services.progression.read_day(text))
    except DayRefused as refused:
        raise Refusal(refused.key) from None


async def today(update: Update, context: ForumContext, press: Press) -> Draft:
    """Today."""
    return press.draft.with_changes(day=context.services.progression.today())


def _contribution(draft: Draft) -> ContributionDraft:
    """What the service is given."""
    assert draft.member_id is not None and draft.day is not None
    return ContributionDraft(draft.member_id, draft.kind, draft.detail, draft.day)


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """Everything chosen, and the note the member will get."""
    messages = messages_for(context)
    assert draft.day is not None
    note = messages.noted(
        update.effective_user.first_name or "", draft.kind, draft.detail, draft.day
    )
    await say(
        update,
        context,
        "progression.new_preview",
        DRAFTS.confirm_keyboard(
            context, draft, "progression.button_save", "progression.button_again"
        ),
        name=draft.name,
        kind=messages.kind(draft.kind),
        detail=draft.detail,
        day=day_words(draft.day),
        note=Markup(note),
    )


async def _save(update: Update, context: ForumContext, draft: Draft) -> None:
    """Save it: the contribution, the audit entry and the member's note together."""
    service = context.services.progression
    user = update.effective_user
    saved = await DRAFTS.store(
        update,
        context,
        draft,
        lambda: service.record(user.id, user.first_name or "", _contribution(draft)),
    )
    if saved is not None:
        await say(update, context, "progression.new_saved", name=draft.name)


DRAFTS.define(
    [
        Step(
            missing=lambda d: d.member_id is None,
            ask=DRAFTS.question("progression.new_ask_name"),
            awaits=STEP_NAME,
            read=read_name,
            refused=DRAFTS.only_cancel,
            presses={"who": picked},
        ),
        Step(missing=lambda d: not d.kind, ask=ask_kind, presses={"kind": kind_chosen}),
        Step(
            missing=lambda d: not d.detail,
            ask=ask_detail,
            awaits=STEP_DETAIL,
            read=read_detail,
            refused=DRAFTS.only_cancel,
        ),
        Step(
            missing=lambda d: d.day is None,
            ask=ask_day,
            awaits=STEP_DAY,
            read=read_day,
            refused=DRAFTS.only_cancel,
            presses={"today": today},
        ),
    ],
    preview=show_preview,
    finish=_save,
    fresh=Draft,
    command="contribution",
)

register = DRAFTS.register  # /contribution, its steps and its buttons
