"""The audience step of a draft (/newmeeting, /newpoll, /broadcast): everyone, a region or a
hub, with the region and hub lists. Buttons carry `<action>:<draft id>:<what>[:<place id>]`.

Catalogue keys, from the DraftStore's prefixes: texts `ask_audience`, `pick_region`,
`pick_hub`; buttons `everyone`, `region`, `hub`; each hub is labelled `broadcast.hub_in_region`.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, Update

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
        await show_key(update, context, drafts.texts + "pick_region", keyboard([*rows, last_row]))
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
        await show_key(update, context, drafts.texts + "pick_hub", keyboard([*rows, last_row]))
        return None
    if press.what == "r" and forum.region(place) is not None:
        return Audience(REGION, place)
    if press.what == "h" and forum.hub(place) is not None:
        return Audience(HUB, place)
    raise InvalidChoice
