"""The audience step of a guided conversation (/newmeeting, /newpoll, /broadcast): everyone,
a region or a hub, with the region and hub lists. Buttons carry
`<action>:<draft id>:<what>[:<place id>]`.

Catalogue keys, from the DraftStore's prefixes: texts `ask_audience`, `pick_region`,
`pick_hub`; buttons `everyone`, `region`, `hub`; each hub is labelled `broadcast.hub_in_region`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.errors import InvalidChoice
from handlers.shared.common import ForumContext, say, show_key
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import DraftStore, Press
from handlers.shared.keyboards import keyboard, labelled

PRESSES = ("all", "regions", "hubs", "r", "h")  # the `what`s this step answers


def step(conversation: Conversation, *, awaits: str = "", back: str = "", change: str = "") -> Step:
    """The audience step of a conversation: its question, its lists and its presses. ``back``
    is the `what` of a Back button ending the lists (Cancel when ""); ``change`` a `what` that
    asks it again from the preview."""

    async def ask(update: Update, context: ForumContext, draft: object) -> None:
        """Who should get it: everyone, a region or a hub, then Cancel."""
        shown = conversation.shown_list(context, draft)
        if shown is not None:  # asked again while the regions or hubs were listed: list them
            await say(update, context, shown[0], shown[1])
            return
        rows = [
            [conversation.button(context, conversation.buttons + "everyone", draft, "all")],
            [conversation.button(context, conversation.buttons + "region", draft, "regions")],
            [conversation.button(context, conversation.buttons + "hub", draft, "hubs")],
            conversation.cancel_row(context, draft),
        ]
        await say(update, context, conversation.texts + "ask_audience", keyboard(rows))

    async def pressed(update: Update, context: ForumContext, press: Press) -> object | None:
        """A list shown, or the draft with the audience chosen."""
        last_row = None
        if back:
            last_row = [
                conversation.button(context, conversation.buttons + "back", press.draft, back)
            ]
        audience = await on_press(update, context, conversation, press, last_row)
        return None if audience is None else press.draft.with_changes(audience=audience)

    return Step(
        ask=ask,
        missing=lambda draft: draft.audience is None,
        awaits=awaits,
        presses=dict.fromkeys(PRESSES, pressed),
        change=change,
    )


async def on_press(
    update: Update,
    context: ForumContext,
    drafts: DraftStore,
    press: Press,
    last_row: Sequence[InlineKeyboardButton] | None = None,
) -> Audience | None:
    """List the regions or hubs, ending in last_row or Cancel (None); or the audience chosen."""
    if last_row is None:
        last_row = drafts.cancel_row(context, press.draft)
    forum = context.services.forum
    action, draft_id, place = drafts.action, press.draft.id, press.arg
    if press.what == "all":
        return Audience(EVERYONE)
    if press.what == "regions":
        rows = [[labelled(r.name, action, draft_id, "r", r.id)] for r in forum.regions]
        await _show_list(update, context, drafts, press, "pick_region", keyboard([*rows, last_row]))
        return None
    if press.what == "hubs":
        plain = context.services.texts.plain
        rows = [
            [
                labelled(
                    plain("broadcast.hub_in_region", hub=h.name, region=r.name),
                    action,
                    draft_id,
                    "h",
                    h.id,
                )
            ]
            for r in forum.regions
            for h in r.hubs
        ]
        await _show_list(update, context, drafts, press, "pick_hub", keyboard([*rows, last_row]))
        return None
    if press.what == "r" and forum.region(place) is not None:
        return Audience(REGION, place)
    if press.what == "h" and forum.hub(place) is not None:
        return Audience(HUB, place)
    raise InvalidChoice


async def _show_list(
    update: Update,
    context: ForumContext,
    drafts: DraftStore,
    press: Press,
    text: str,
    markup: InlineKeyboardMarkup,
) -> None:
    """Show the regions or hubs in place of the question, and remember them for asking again."""
    key = drafts.texts + text
    drafts.show_list(context, press.draft, key, markup)
    await show_key(update, context, key, markup)
