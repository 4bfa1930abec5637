"""Buttons and keyboards: making them, and the menus people see (every menu carries the
'Help now' button)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.forum import Forum
from bot.services.members import Member
from handlers.shared.callbacks import encode
from handlers.shared.common import ForumContext

NONE = "-"
Row = Sequence[InlineKeyboardButton]


def button(context: ForumContext, key: str, action: str, *args: object) -> InlineKeyboardButton:
    """A button whose label comes from the catalogue and whose data is encoded."""
    label = context.services.texts.plain(key)
    return InlineKeyboardButton(label, callback_data=encode(action, *args))


def labelled(label: str, action: str, *args: object) -> InlineKeyboardButton:
    """A button with a label made from data (a region or hub name, a need)."""
    return InlineKeyboardButton(label, callback_data=encode(action, *args))


def keyboard(rows: Sequence[Row]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of buttons."""
    return InlineKeyboardMarkup([list(row) for row in rows])


def help_now(context: ForumContext) -> InlineKeyboardButton:
    """The crisis help button that sits on every menu."""
    return button(context, "buttons.help_now", "help", "now")


def with_help(
    context: ForumContext, rows: list[list[InlineKeyboardButton]]
) -> InlineKeyboardMarkup:
    """Any menu, with 'Help now' as its last row."""
    return keyboard([*rows, [help_now(context)]])


def main_menu(context: ForumContext, is_member: bool) -> InlineKeyboardMarkup:
    """The main menu for members, or the smaller one for people who have not joined."""
    if not is_member:
        return with_help(
            context,
            [
                [button(context, "buttons.get_support", "menu", "support")],
                [button(context, "buttons.contact", "contact", "start")],
                [button(context, "buttons.join", "consent", "show")],
            ],
        )
    return with_help(
        context,
        [
            [
                button(context, "buttons.meetings", "menu", "meetings"),
                button(context, "buttons.have_your_say", "menu", "say"),
            ],
            [
                button(context, "buttons.get_support", "menu", "support"),
                button(context, "buttons.my_settings", "menu", "settings"),
            ],
            [
                button(context, "buttons.contact", "contact", "start"),
                button(context, "journey.menu_button", "jny", "v"),  # handlers/journey
            ],
            [button(context, "opportunities.menu_button", "opl")],  # handlers/opportunities
        ],
    )


def back_to_menu(context: ForumContext) -> InlineKeyboardMarkup:
    """Just 'Back to menu' and 'Help now'."""
    return with_help(context, [[button(context, "buttons.menu", "menu", "home")]])


def region_picker(context: ForumContext, forum: Forum) -> InlineKeyboardMarkup:
    """One button per region, then 'not sure / national only'."""
    rows = [[labelled(region.name, "reg", region.id)] for region in forum.regions]
    rows.append([button(context, "buttons.region_none", "reg", NONE)])
    return with_help(context, rows)


def hub_picker(context: ForumContext, forum: Forum, region_id: str) -> InlineKeyboardMarkup:
    """One button per hub in the region, then 'not sure'."""
    region = forum.region(region_id)
    hubs = region.hubs if region else ()
    rows = [[labelled(hub.name, "hub", hub.id)] for hub in hubs]
    rows.append([button(context, "buttons.hub_none", "hub", NONE)])
    return with_help(context, rows)


def preferences(context: ForumContext, member: Member) -> InlineKeyboardMarkup:
    """On/off switches for each kind of message, then 'Done'."""
    texts = context.services.texts

    def switch(key: str, name: str, on: bool) -> list[InlineKeyboardButton]:
        mark = texts.plain("buttons.on" if on else "buttons.off")
        return [labelled(f"{mark} {texts.plain(key)}", "pref", name)]

    return with_help(
        context,
        [
            switch("buttons.pref_meetings", "meetings", member.wants_meetings),
            switch("buttons.pref_consultations", "consultations", member.wants_consultations),
            switch("buttons.pref_news", "news", member.wants_news),
            [button(context, "buttons.done", "prefs", "done")],
        ],
    )
