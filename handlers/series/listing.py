"""/series for coordinators: every repeating question and survey with its rule, state, next
round and the round open now; buttons to pause, resume, change (days open, the rule, the
opening time, decision-makers) and stop. Each change is asked first and says that a round
already open stays as it is. Every press is checked again by the series service (role, id,
state), which audits each change.

Callback data: `sr:<id>:<what>[:<arg>]`: p/py pause, r/ry resume, s/sy stop, d (days) and
dy:<days>, t (type a time) and ty:<HHMM>, u (type a rule) and uy:<rule code>, k (decision-
makers), k:<telegram id> toggles one, kd asks, ky saves; keep changes nothing."""

from __future__ import annotations

from datetime import datetime, time

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.localtime import local_when
from bot.services.consultations import Reader
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.series import ACTIVE, PAUSED, STOPPED, SeriesRecord
from bot.services.series.rules import RepeatRule, code, from_code, read_clock
from handlers.series.messages import rule_words
from handlers.shared import awaiting
from handlers.shared.callbacks import pattern
from handlers.shared.common import (
    Card,
    ForumApp,
    ForumContext,
    Listing,
    coordinator_press,
    say,
    send,
    send_each,
    show_key,
)
from handlers.shared.formatting import audience_words, number
from handlers.shared.keyboards import button, keyboard, labelled
from handlers.shared.readers_picker import CHOSEN_MARK, reader_name

ACTION = "sr"
LISTING = Listing("series.list_header", "series.list_empty", 20)
DAYS = (1, 3, 7, 14, 21, 28)
STEP_TIME, STEP_RULE = "series_time", "series_rule"
CHANGING = "series_changing"  # user_data: the series id getting a typed time or rule
PICKING = "series_readers"  # user_data: (series id, the decision-makers ticked so far)


# The list


async def list_command(update: Update, context: ForumContext) -> None:
    """/series: each series as a card with its buttons (coordinators only, checked by the
    service)."""
    awaiting.clear(context)
    listed = await context.services.series.listing(update.effective_user.id)

    async def card(item: SeriesRecord) -> Card:
        """One series."""
        return await _card(update, context, item)

    await send_each(update, context, LISTING, listed, card)


async def _card(update: Update, context: ForumContext, item: SeriesRecord) -> Card:
    """A series in words, with its buttons while it is not stopped."""
    texts = context.services.texts
    return (
        texts.get(
            "series.card",
            title=item.title,
            kind=texts.plain(f"series.kind_{item.kind}"),
            rule=rule_words(texts, item.rule),
            audience=audience_words(context.services, item.audience_label),
            state=_state_words(context, item),
            made=number(item.rounds),
            open=_open_words(context, item),
            readers=await _readers_words(update, context, item),
        ),
        _buttons(context, item),
    )


def _state_words(context: ForumContext, item: SeriesRecord) -> str:
    """Running (with the next round), paused or stopped."""
    texts = context.services.texts
    if item.state == ACTIVE and item.next_opens_at is not None:
        return texts.plain("series.state_active", next=_when(context, item.next_opens_at))
    return texts.plain(f"series.state_{item.state}")


def _open_words(context: ForumContext, item: SeriesRecord) -> str:
    """The round open now, which changes leave as it is ("" when none is open)."""
    if item.open_round is None:
        return ""
    return context.services.texts.plain(
        f"series.open_round_{item.kind}",
        n=item.open_round.round,
        closes=_when(context, item.open_round.closes_at),
    )


async def _readers_words(update: Update, context: ForumContext, item: SeriesRecord) -> str:
    """Coordinators, and the decision-makers chosen who still hold the role."""
    texts = context.services.texts
    names = [
        reader_name(context, r)
        for r in await _decision_makers(update, context)
        if r.telegram_id in item.readers
    ]
    if not names:
        return texts.plain("series.readers_coordinators")
    return texts.plain("series.readers_and", names=", ".join(names))


async def _decision_makers(update: Update, context: ForumContext) -> list[Reader]:
    """Every decision-maker (the role checked by the service)."""
    return await context.services.series.decision_makers(update.effective_user.id)


def _buttons(context: ForumContext, item: SeriesRecord) -> InlineKeyboardMarkup | None:
    """Pause or resume, the changes, and stop; none once stopped."""
    if item.state == STOPPED:
        return None
    sid = item.id
    pause = (
        button(context, "series.button_pause", ACTION, sid, "p")
        if item.state == ACTIVE
        else button(context, "series.button_resume", ACTION, sid, "r")
    )
    return keyboard(
        [
            [pause],
            [
                button(context, "series.button_days", ACTION, sid, "d"),
                button(context, "series.button_time", ACTION, sid, "t"),
            ],
            [button(context, "series.button_rule", ACTION, sid, "u")],
            [button(context, "series.button_readers", ACTION, sid, "k")],
            [button(context, "series.button_stop", ACTION, sid, "s")],
        ]
    )


def _when(context: ForumContext, moment: datetime) -> str:
    """A moment in local words."""
    services = context.services
    return local_when(moment, services.settings.zone, services.texts)


# Presses


async def on_press(update: Update, context: ForumContext) -> None:
    """Every /series button: ask first, then change (the service checks it all again)."""
    callback = await coordinator_press(update, context, ACTION, "change series")
    series_id, what = callback.int_arg(0), callback.arg(1)
    actor = update.effective_user.id
    service = context.services.series
    item = await service.get(actor, series_id)
    if what == "keep":
        _forget(context)
        await show_key(update, context, "series.kept")
        return
    if item.state == STOPPED:
        await show_key(update, context, "series.already_stopped")
        return
    if what in ("p", "r", "s"):
        await _confirm_state(update, context, item, what)
    elif what in ("py", "ry", "sy"):
        change = {"py": service.pause, "ry": service.resume, "sy": service.stop}[what]
        await _done(update, context, await change(actor, series_id))
    elif what == "d":
        plain = context.services.texts.plain
        rows = [
            [
                labelled(plain("series.button_n_days", n=days), ACTION, series_id, "dd", days)
                for days in DAYS[i : i + 3]
            ]
            for i in range(0, len(DAYS), 3)
        ]
        rows.append([button(context, "series.button_keep", ACTION, series_id, "keep")])
        await say(update, context, "series.ask_days", keyboard(rows), title=item.title)
    elif what == "dd":
        days = callback.int_arg(2)
        if days not in DAYS:
            raise InvalidChoice
        await _confirm_rule(update, context, item, item.rule.with_changes(open_days=days))
    elif what in ("t", "u"):
        context.user_data[CHANGING] = series_id
        step = STEP_TIME if what == "t" else STEP_RULE
        awaiting.expect(context, step)
        keep = keyboard([[button(context, "series.button_keep", ACTION, series_id, "keep")]])
        await say(update, context, f"series.ask_{'time' if what == 't' else 'rule_change'}", keep)
    elif what == "uy":
        try:
            rule = from_code(callback.arg(2))
        except ValueError:
            raise InvalidChoice from None
        _forget(context)
        await _done(update, context, await service.change_rule(actor, series_id, rule))
    elif what in ("k", "kr", "kd", "ky"):
        await _readers(update, context, item, what, callback.args[2:])
    else:
        raise InvalidChoice


async def _confirm_state(
    update: Update, context: ForumContext, item: SeriesRecord, what: str
) -> None:
    """Pause, resume or stop: asked first, saying what happens to the round open now."""
    service = context.services.series
    values: dict[str, object] = {"title": item.title, "open": _open_words(context, item)}
    if what == "r":
        values["next"] = _when(context, service.next_after_change(item.rule))
    markup = keyboard(
        [
            [button(context, f"series.button_yes_{what}", ACTION, item.id, f"{what}y")],
            [button(context, "series.button_keep", ACTION, item.id, "keep")],
        ]
    )
    await say(update, context, f"series.confirm_{what}", markup, **values)


async def _confirm_rule(
    update: Update, context: ForumContext, item: SeriesRecord, rule: RepeatRule
) -> None:
    """A new rule, time or days open: the rule in words and the next round, asked first."""
    texts = context.services.texts
    following = context.services.series.next_after_change(rule)
    markup = keyboard(
        [
            [button(context, "series.button_yes_change", ACTION, item.id, "uy", code(rule))],
            [button(context, "series.button_keep", ACTION, item.id, "keep")],
        ]
    )
    values = {
        "title": item.title,
        "rule": rule_words(texts, rule),
        "open": _open_words(context, item),
    }
    if item.state == PAUSED:
        await say(update, context, "series.confirm_change_paused", markup, **values)
        return
    await say(
        update, context, "series.confirm_change", markup, next=_when(context, following), **values
    )


async def _done(update: Update, context: ForumContext, item: SeriesRecord) -> None:
    """Say the change is saved, then the series as it is now."""
    await show_key(update, context, "series.changed", None, title=item.title)
    text, markup = await _card(update, context, item)
    await send(context, update.effective_chat.id, text, markup)


# Decision-makers


async def _readers(
    update: Update, context: ForumContext, item: SeriesRecord, what: str, args: tuple[str, ...]
) -> None:
    """Tick decision-makers (kept in user_data until saved), ask, then save."""
    everyone = await _decision_makers(update, context)
    known = [r.telegram_id for r in everyone]
    picking = context.user_data.get(PICKING)
    chosen = set(picking[1]) if isinstance(picking, tuple) and picking[0] == item.id else None
    if what == "k" or chosen is None:
        chosen = set(item.readers) & set(known)
    if what == "kr":
        reader = int(args[0]) if args and args[0].isdigit() else None
        if reader not in known:
            raise InvalidChoice
        chosen ^= {reader}
    context.user_data[PICKING] = (item.id, tuple(sorted(chosen)))
    if what == "ky":
        readers = tuple(r for r in known if r in chosen)
        _forget(context)
        service = context.services.series
        await _done(
            update,
            context,
            await service.change_readers(update.effective_user.id, item.id, readers),
        )
        return
    if what == "kd":
        names = [reader_name(context, r) for r in everyone if r.telegram_id in chosen]
        texts = context.services.texts
        markup = keyboard(
            [
                [button(context, "series.button_yes_change", ACTION, item.id, "ky")],
                [button(context, "series.button_keep", ACTION, item.id, "keep")],
            ]
        )
        await show_key(
            update,
            context,
            "series.confirm_readers",
            markup,
            title=item.title,
            readers=(
                texts.plain("series.readers_and", names=", ".join(names))
                if names
                else texts.plain("series.readers_coordinators")
            ),
            open=_open_words(context, item),
        )
        return
    if not everyone:
        await say(update, context, "series.no_decision_makers")
        return
    rows = [
        [
            labelled(
                (CHOSEN_MARK if r.telegram_id in chosen else "") + reader_name(context, r),
                ACTION,
                item.id,
                "kr",
                r.telegram_id,
            )
        ]
        for r in everyone
    ]
    rows.append([button(context, "series.button_readers_done", ACTION, item.id, "kd")])
    rows.append([button(context, "series.button_keep", ACTION, item.id, "keep")])
    if what == "k":
        await say(update, context, "series.ask_readers", keyboard(rows), title=item.title)
    else:
        await show_key(update, context, "series.ask_readers", keyboard(rows), title=item.title)


# Typed time and rule


async def on_typed(update: Update, context: ForumContext, text: str) -> None:
    """A typed opening time or rule for the series being changed: read, then asked first."""
    series_id = context.user_data.get(CHANGING)
    step = awaiting.current(context)
    if not isinstance(series_id, int):
        _forget(context)
        await say(update, context, "errors.stale_choice")
        return
    service = context.services.series
    try:
        item = await service.get(update.effective_user.id, series_id)
        if item.state == STOPPED:
            _forget(context)
            await say(update, context, "series.already_stopped")
            return
        if step == STEP_TIME:
            clock: time = read_clock(text)
            rule = item.rule.with_changes(clock=clock)
        else:
            rule = service.read_rule(text)
    except ServiceError as error:
        await say(update, context, error.reason)
        return
    _forget(context)
    await _confirm_rule(update, context, item, rule)


async def ask_again(update: Update, context: ForumContext) -> None:
    """ "Carry on": ask for the typed time or rule again."""
    step = awaiting.current(context)
    await say(update, context, "series.ask_time" if step == STEP_TIME else "series.ask_rule_change")


def _forget(context: ForumContext) -> None:
    """No series is being changed by typing or ticking now."""
    context.user_data.pop(CHANGING, None)
    context.user_data.pop(PICKING, None)
    if awaiting.current(context) in (STEP_TIME, STEP_RULE):
        awaiting.clear(context)


def register(app: ForumApp) -> None:
    """Add /series, its buttons and its typed steps."""
    awaiting.define(STEP_TIME, on_typed, ask_again)
    awaiting.define(STEP_RULE, on_typed, ask_again)
    app.add_handler(CommandHandler("series", list_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_press, pattern(ACTION)))
