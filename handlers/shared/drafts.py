"""The draft a coordinator builds step by step in a guided conversation (/newmeeting, /newpoll,
/broadcast): kept in user_data under one key per conversation, with its random id in every
button so a press from an older draft is refused. Steps use handlers/shared/awaiting.py, so the
crisis net still answers at any step and "Carry on" asks again.

Each conversation makes one DraftStore (a handlers/shared/conversation.py Conversation, which adds
the steps) with its own callback action and catalogue prefixes (texts `<texts>stale`,
`<texts>cancelled`, `<texts>use_buttons`; the button `<buttons>cancel`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields, replace
from typing import Any, Generic, Protocol, Self, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.shared import awaiting
from handlers.shared.callbacks import Callback
from handlers.shared.common import ForumContext, coordinator_press, say, show_key
from handlers.shared.keyboards import button, keyboard


class _HasId(Protocol):
    """A draft: anything with a random id that its buttons carry."""

    @property
    def id(self) -> str:
        """The draft id."""
        ...


D = TypeVar("D", bound=_HasId)
R = TypeVar("R")  # a service's own draft: what a conversation gives it in the end


@dataclass(frozen=True)
class DraftFields:
    """What every conversation's draft has: a random id its buttons carry."""

    id: str = field(default_factory=lambda: secrets.token_hex(4))

    def with_changes(self, **changes: object) -> Self:
        """A copy with some fields changed (same draft id)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def build(self, kind: type[R], **others: Any) -> R:
        """What the service is given: the dataclass ``kind`` filled from this draft's fields of
        the same names, and ``others`` for the fields it names differently."""
        ours = {f.name for f in fields(self)}
        same = {f.name for f in fields(kind) if f.name in ours and f.name not in others}  # type: ignore[arg-type]
        return kind(**{name: getattr(self, name) for name in same}, **others)


# user_data: a list a step is showing (the audience step's regions or hubs), so asking the step
# again shows that list, not the question before it; any press on the draft's buttons forgets it.
SHOWN_LIST = "draft_shown_list"
# user_data: the ids of drafts lately used up (sent, created), so a press on their buttons
# delivered again (a double tap, a replayed update) leaves the message saying what was done.
USED = "drafts_used"
USED_KEPT = 20


@dataclass(frozen=True)
class Press(Generic[D]):
    """A press on one of the draft's buttons whose draft id matched."""

    draft: D
    what: str
    args: tuple[str, ...]  # what follows the draft id and `what`
    callback: Callback

    @property
    def arg(self) -> str:
        """The first argument after `what`, or '' if there is none."""
        return self.args[0] if self.args else ""

    def number(self) -> int:
        """The first argument after `what` as a whole number (BadCallback if it is not one)."""
        return self.callback.int_arg(2)


class DraftStore(Generic[D]):
    """One conversation's draft in user_data, its buttons, and its 'gone' and cancel texts."""

    def __init__(
        self,
        action: str,
        *,
        key: str,
        kind: type[D],
        texts: str,
        buttons: str,
        clear_step_when_gone: bool = False,
    ) -> None:
        """One conversation: callback action, user_data key, draft class, catalogue prefixes."""
        self.action = action
        self.key = key
        self.kind = kind
        self.texts = texts  # e.g. "meetings.new_"
        self.buttons = buttons  # e.g. "meetings.button_"
        self.stale = texts + "stale"  # "the draft is gone"
        self.clear_step_when_gone = clear_step_when_gone

    def get(self, context: ForumContext) -> D | None:
        """The coordinator's draft, if there is one."""
        draft = context.user_data.get(self.key)
        return draft if isinstance(draft, self.kind) else None

    def keep(self, context: ForumContext, draft: D) -> None:
        """Store the draft."""
        context.user_data[self.key] = draft

    def take(self, context: ForumContext) -> D | None:
        """Remove the draft and return it (None if there was none)."""
        return context.user_data.pop(self.key, None)

    async def current(self, update: Update, context: ForumContext) -> D | None:
        """The coordinator's draft; if it is gone (a restart, say), tell them and return None."""
        draft = self.get(context)
        if draft is None:
            if self.clear_step_when_gone:
                awaiting.clear(context)
            await say(update, context, self.stale)
        return draft

    async def ask(self, update: Update, context: ForumContext, step: str) -> D | None:
        """The draft (None, said so, if it is gone), with the next free text going to step."""
        draft = await self.current(update, context)
        if draft is not None:
            awaiting.expect(context, step)
        return draft

    async def claim(self, update: Update, context: ForumContext) -> bool:
        """Take the draft before using it, so a double tap cannot use it twice; False if gone."""
        draft = self.take(context)
        if draft is None:
            await show_key(update, context, self.stale)
            return False
        used = context.user_data.setdefault(USED, [])
        used.append((self.action, draft.id))
        del used[:-USED_KEPT]
        return True

    def used(self, context: ForumContext, draft_id: str) -> bool:
        """Whether this draft was used up lately (its buttons pressed again change nothing)."""
        return (self.action, draft_id) in context.user_data.get(USED, ())

    def button(
        self, context: ForumContext, key: str, draft: D, what: str, *more: object
    ) -> InlineKeyboardButton:
        """A draft button with its label from the catalogue."""
        return button(context, key, self.action, draft.id, what, *more)

    def cancel_row(self, context: ForumContext, draft: D) -> list[InlineKeyboardButton]:
        """The Cancel button."""
        return [self.button(context, self.buttons + "cancel", draft, "cancel")]

    def only_cancel(self, context: ForumContext, draft: D) -> InlineKeyboardMarkup:
        """A keyboard with just Cancel."""
        return keyboard([self.cancel_row(context, draft)])

    def show_list(
        self, context: ForumContext, draft: D, key: str, markup: InlineKeyboardMarkup
    ) -> None:
        """Remember the list a step now shows (its text key and buttons), to ask it again."""
        context.user_data[SHOWN_LIST] = (self.action, draft.id, key, markup)

    def shown_list(
        self, context: ForumContext, draft: D
    ) -> tuple[str, InlineKeyboardMarkup] | None:
        """The list this draft's step is showing (text key and buttons), if any."""
        shown = context.user_data.get(SHOWN_LIST)
        if isinstance(shown, tuple) and shown[:2] == (self.action, draft.id):
            return shown[2], shown[3]
        return None

    async def pressed(
        self, update: Update, context: ForumContext, permission: str
    ) -> Press[D] | None:
        """Answer a draft button press and check the role again; None if the draft id is stale."""
        callback = await coordinator_press(update, context, self.action, permission)
        draft_id, what = callback.arg(0), callback.arg(1)
        draft = self.get(context)
        if draft is None or draft.id != draft_id:
            if not self.used(context, draft_id):  # a press again on a used draft: it is done
                await show_key(update, context, self.stale)
            return None
        context.user_data.pop(SHOWN_LIST, None)  # a list shown is answered or left
        return Press(draft, what, callback.args[2:], callback)

    async def cancel_pressed(self, update: Update, context: ForumContext) -> None:
        """Throw the draft away after Cancel; nothing is sent."""
        self.take(context)
        awaiting.clear(context)
        await show_key(update, context, self.texts + "cancelled")
