"""/audit: what coordinators (and the bot) did, as sentences with names, newest first.

Buttons, or words typed after the command (`/audit Casey`, `/audit grants`), narrow it to one
kind of action or one person. The service checks the role and records each look.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.localtime import local_clock, local_date, local_when, same_local_day
from bot.services.errors import InvalidChoice
from bot.services.reports import BOT, LEFT, NAMED, AuditLine, AuditView, Person
from bot.texts import Markup, Texts
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, role_words, send, show
from handlers.shared.formatting import audience_words
from handlers.shared.keyboards import button, keyboard, labelled

ACTION = "aud"  # aud:all | aud:k:<kind> | aud:p:<telegram id>
KIND_BUTTONS = (
    "roles",
    "messages",
    "meetings",
    "questions",
    "members",
    "requests",
    "groups",
    "opportunities",
    "refused",
)
PEOPLE_BUTTONS = 6  # buttons for people named in the lines shown
PER_ROW = 3


async def audit(update: Update, context: ForumContext) -> None:
    """/audit, with any words typed after it: a kind, a first name, or both."""
    awaiting.clear(context)
    user_id = update.effective_user.id
    words = " ".join(context.args or [])
    view = await context.services.reports.audit_log(user_id, words=words)
    text, markup = render(context, view, user_id)
    await send(context, update.effective_chat.id, text, markup)


async def on_button(update: Update, context: ForumContext) -> None:
    """Everything, one kind, or one person (the service checks the role and the kind again)."""
    await answer(update, context)
    callback = decode(update.callback_query.data, ACTION)
    user_id = update.effective_user.id
    reports = context.services.reports
    what = callback.arg(0)
    if what == "all":
        view = await reports.audit_log(user_id)
    elif what == "k":
        view = await reports.audit_log(user_id, kind=callback.arg(1))
    elif what == "p":
        view = await reports.audit_log(user_id, person=callback.int_arg(1))
    else:
        raise InvalidChoice
    text, markup = render(context, view, user_id)
    await show(update, context, text, markup)


def render(context: ForumContext, view: AuditView, viewer: int) -> tuple[str, InlineKeyboardMarkup]:
    """The view as HTML, a day at a time, with the filter buttons."""
    texts = context.services.texts
    zone = context.services.settings.zone
    if view.not_found:
        return texts.get("audit.no_such_name", name=view.name), _buttons(context, view)
    parts = [texts.get("audit.heading")]
    if view.kind is not None:
        parts.append(texts.get("audit.showing_kind", kind=texts.plain(f"audit.kind_{view.kind}")))
    if view.about is not None:
        parts.append(texts.get("audit.showing_person", name=_who(texts, view.about, viewer)))
    if not view.lines:
        filtered = view.kind is not None or view.about is not None
        parts += ["", texts.get("audit.empty_filtered" if filtered else "audit.empty")]
        return "\n".join(parts), _buttons(context, view)
    previous = None
    for line in view.lines:
        if previous is None or not same_local_day(previous, line.at, zone):
            parts += ["", texts.get("audit.day", day=local_date(line.at, zone))]
        previous = line.at
        parts.append(
            texts.get(
                "audit.line",
                time=local_clock(line.at, zone),
                sentence=Markup(sentence(context, line, viewer)),
            )
        )
    if view.full:
        parts += ["", texts.get("audit.more", count=len(view.lines))]
    return "\n".join(parts), _buttons(context, view)


def sentence(context: ForumContext, line: AuditLine, viewer: int) -> str:
    """One action in words, like 'Casey made Priya a decision-maker.' (safe HTML)."""
    texts = context.services.texts
    zone = context.services.settings.zone
    key = f"audit.did.{line.what}"
    facts = line.facts
    values: dict[str, object] = {**facts, "actor": _who_in(texts, key, "actor", line.actor, viewer)}
    if line.target is not None:
        values["person"] = _who_in(texts, key, "person", line.target, viewer)
    if "role" in facts:
        values["role"] = role_words(texts, facts["role"])
    if "audience" in facts:
        values["audience"] = audience_words(context.services, facts["audience"])
    if "title" in facts:
        title = facts["title"]
        values["title"] = (
            texts.plain("audit.title", title=title) if title else texts.plain("audit.no_title")
        )
    if "time" in facts:
        values["time"] = local_when(facts["time"], zone, texts) if facts["time"] else "-"
    if "coordinators" in facts:  # "Message 3", or a notice the bot sent by itself
        values["kind"] = texts.plain(
            "broadcast.kind_broadcast" if facts["coordinators"] else "broadcast.kind_other"
        )
    if "answer" in facts:
        values["answer"] = texts.plain(f"meetings.answer_{facts['answer']}")
    if "contribution" in facts:
        values["contribution"] = texts.plain(f"progression.kind_{facts['contribution']}")
    if "opportunity_kind" in facts:
        values["opportunity_kind"] = texts.plain(f"opportunities.kinds.{facts['opportunity_kind']}")
    if "outcome" in facts:
        values["outcome"] = texts.plain(f"opportunities.outcome_{facts['outcome']}")
    said = texts.get(key, **values)
    if facts.get("urgent"):
        said += " " + texts.get("audit.urgent")
    return said


def _who_in(texts: Texts, key: str, field: str, person: Person, viewer: int) -> str:
    """A person's words in the sentence `key`, capitalised where they open it ("Someone who has
    left sent...", "You became..."); a name stays as its owner typed it."""
    words = _who(texts, person, viewer)
    if person.kind != NAMED and texts.raw(key).startswith("{" + field + "}"):
        return words[:1].upper() + words[1:]
    return words


def _who(texts: Texts, person: Person, viewer: int) -> str:
    """A name, or words for someone without one."""
    if person.kind == NAMED and person.name:
        return person.name
    if person.kind == LEFT:
        return texts.plain("audit.someone_left")
    if person.kind == BOT:
        return texts.plain("audit.the_bot")
    if person.telegram_id == viewer:
        return texts.plain("audit.you")
    return texts.plain("audit.unnamed", user_id=person.telegram_id)


def _buttons(context: ForumContext, view: AuditView) -> InlineKeyboardMarkup:
    """Everything and each kind; then the people named in the lines shown."""
    kinds = [button(context, "audit.kind_all", ACTION, "all")]
    kinds += [button(context, f"audit.kind_{kind}", ACTION, "k", kind) for kind in KIND_BUTTONS]
    people: dict[int, str] = {}
    for line in view.lines:
        for person in (line.actor, line.target):
            if person is not None and person.kind == NAMED and person.telegram_id is not None:
                people.setdefault(person.telegram_id, person.name or "")
    named: list[InlineKeyboardButton] = [
        labelled(name, ACTION, "p", telegram_id)
        for telegram_id, name in list(people.items())[:PEOPLE_BUTTONS]
    ]
    return keyboard([*_rows(kinds), *_rows(named)])


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Buttons a few to a row."""
    return [buttons[start : start + PER_ROW] for start in range(0, len(buttons), PER_ROW)]


def register(app: ForumApp) -> None:
    """Add /audit and its filter buttons."""
    app.add_handler(CommandHandler("audit", audit, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
