"""Coordinator commands: /grant, /revoke, /members and listing a hub by name (/audit is in
handlers/audit.py)."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.command_menus import refresh_command_menu
from bot.results.members_chart import members_chart_png
from bot.role_args import RoleArgsError, parse_role_args
from bot.services.reports import MembersReport
from bot.services.roles import READER
from bot.texts import Markup
from handlers.invitation_links import invitation_lines
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, role_words, say, send
from handlers.shared.keyboards import keyboard, labelled

_CAPTION_ROOM = 1000  # Telegram allows 1024 characters in a caption


async def _change_role(update: Update, context: ForumContext, grant: bool) -> None:
    """Shared body of /grant and /revoke; the service checks the caller's role first."""
    awaiting.clear(context)
    services = context.services
    actor = update.effective_user.id
    await services.roles.require_coordinator(actor, "grant" if grant else "revoke")
    try:
        args = parse_role_args(context.args or [])
    except RoleArgsError:
        await say(update, context, "roles.usage")
        return
    target = args.telegram_id
    name = None  # the first name of someone granted from their contact request
    if args.request_id is not None:
        request = await services.contact.get_for_coordinator(actor, args.request_id)
        target, name = request.telegram_id, request.first_name
    assert target is not None
    if grant:
        change = await services.roles.grant(actor, target, args.role)
        key = "roles.granted" if change.changed else "roles.already_had"
    else:
        change = await services.roles.revoke(actor, target, args.role)
        key = "roles.revoked" if change.changed else "roles.did_not_have"
    if change.changed:
        await refresh_command_menu(context.bot, services, target)
    text = services.texts.get(key, user_id=target, role=role_words(services.texts, args.role))
    if grant and args.role == READER:
        text += "\n\n" + services.texts.get("progression.reader_granted")
    if grant:  # someone who has not opened the bot gets a link (any role)
        text += await invitation_lines(context, actor, target, args.role, name)
    await send(context, update.effective_chat.id, text)


async def grant(update: Update, context: ForumContext) -> None:
    """/grant <telegram id | request N> <coordinator | decision-maker | reader>."""
    await _change_role(update, context, grant=True)


async def revoke(update: Update, context: ForumContext) -> None:
    """/revoke <telegram id | request N> <coordinator | decision-maker | reader>."""
    await _change_role(update, context, grant=False)


async def members(update: Update, context: ForumContext) -> None:
    """/members: counts by region and hub against the targets, with hub-list buttons."""
    awaiting.clear(context)
    services = context.services
    report = await services.reports.members_report(update.effective_user.id)
    text = render_members_report(context, report)
    rows = [
        [
            labelled(
                context.services.texts.plain("members.list_button", hub=hub.name), "hubl", hub.id
            )
        ]
        for region in services.forum.regions
        for hub in region.hubs
    ]
    await send(context, update.effective_chat.id, text, keyboard(rows))
    await _send_members_chart(context, update.effective_chat.id, report)


def members_by_region(context: ForumContext, report: MembersReport) -> list[tuple[str, int, int]]:
    """(region name, members, target) for each region in forum order (national-only members
    belong to no region's target)."""
    forum = context.services.forum
    return [
        (forum.region_name(region.region_id) or "", region.members, region.target)
        for region in report.regions
        if region.region_id is not None and region.target is not None
    ]


async def _send_members_chart(context: ForumContext, chat_id: int, report: MembersReport) -> None:
    """The chart of members by region against the targets, with the same figures in words."""
    texts = context.services.texts
    rows = members_by_region(context, report)
    png = await asyncio.to_thread(
        members_chart_png,
        rows,
        title=texts.plain("members.chart_title"),
        members_word=texts.plain("members.chart_members"),
        target_word=texts.plain("members.chart_target"),
    )
    lines = "\n".join(
        texts.get("members.chart_line", region=name, members=members, target=target)
        for name, members, target in rows
    )
    caption = texts.get("members.chart_caption", lines=Markup(lines))
    words = None
    if len(caption) > _CAPTION_ROOM:  # a very large forum: the words follow as their own message
        caption, words = texts.get("members.chart_title"), caption
    await context.bot.send_photo(
        chat_id,
        InputFile(png, filename="members-by-region.png"),
        caption=caption,
        parse_mode=ParseMode.HTML,
    )
    if words is not None:
        await send(context, chat_id, words)


def render_members_report(context: ForumContext, report: MembersReport) -> str:
    """The members report as HTML from catalogue texts."""
    texts = context.services.texts
    forum = context.services.forum
    lines = [
        texts.get(
            "members.heading",
            members=report.members,
            target=report.target_members,
            active=report.active,
            paused=report.paused,
            left=report.left,
        )
    ]
    for region in report.regions:
        name = forum.region_name(region.region_id) or texts.plain("settings.national")
        counts = {"active": region.active, "paused": region.paused, "left": region.left}
        lines.append("")
        if region.region_id is None:
            lines.append(texts.get("members.national_line", region=name, **counts))
            continue
        hubs = {"hubs": region.hubs_running, "hub_target": report.target_hubs_per_region}
        lines.append(texts.get("members.region_line", region=name, **counts, **hubs))
        for line in region.lines:
            hub = forum.hub_name(line.hub_id) or texts.plain("settings.no_hub")
            hub_counts = {"active": line.active, "paused": line.paused, "left": line.left}
            lines.append(texts.get("members.hub_line", hub=hub, **hub_counts))
    return "\n".join(lines)


async def on_hub_list(update: Update, context: ForumContext) -> None:
    """List a hub's members by first name (checked and recorded in the service)."""
    await answer(update, context)
    services = context.services
    hub_id = decode(update.callback_query.data, "hubl").arg(0)
    listed = await services.reports.hub_members(update.effective_user.id, hub_id)
    hub = services.forum.hub_name(hub_id)
    if not listed:
        await say(update, context, "members.hub_empty", None, hub=hub)
        return
    names = "\n".join(
        services.texts.get("members.hub_member", name=m.first_name, user_id=m.telegram_id)
        for m in listed
    )
    text = services.texts.get("members.hub_list", hub=hub, count=len(listed)) + "\n" + names
    await send(context, update.effective_chat.id, text)


def register(app: ForumApp) -> None:
    """Add the coordinator commands and the hub-list button (/audit: handlers/audit.py)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("grant", grant, private))
    app.add_handler(CommandHandler("revoke", revoke, private))
    app.add_handler(CommandHandler("members", members, private))
    app.add_handler(CallbackQueryHandler(on_hub_list, pattern("hubl")))
