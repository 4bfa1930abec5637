"""The audience step of a draft (/newmeeting, /newpoll, /broadcast): everyone, a region or a
hub, with the region and hub lists. Buttons carry `<action>:<draft id>:<what>[:<place id>]`.

Catalogue keys, from the DraftStore's prefixes: texts `ask_audience`, `pick_region`,
`pick_hub`; buttons `everyone`, `region`, `hub`; each hub is labelled `broadcast.hub_in_region`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.errors import InvalidChoice
from handlers.common import ForumContext, keyboard, labelled, say, show_key
from handlers.drafts import DraftStore, Press

PRESSES = ("all", "regions", "hubs", "r", "h")  # the `what`s this step answers


async def ask(update: Update, context: ForumContext, drafts: DraftStore, step: str) -> None:
    """Who should get it: everyone, a region or a hub, then Cancel."""
    draft = await drafts.ask(update, context, step)
    if draft is None:
        return
    shown = drafts.shown_list(context, draft)
    if shown is not None:  # asked again while the regions or hubs were listed: list them again
        await say(update, context, shown[0], shown[1])
        return
    rows = [
        [drafts.button(context, drafts.buttons + "everyone", draft, "all")],
        [drafts.button(context, drafts.buttons + "region", draft, "regions")],
        [drafts.button(context, drafts.buttons + "hub", draft, "hubs")],
        drafts.cancel_row(context, draft),
    ]
    await say(update, context, drafts.texts + "ask_audience", keyboard(rows))


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
