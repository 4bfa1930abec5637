"""Which decision-makers get the results, as a step of a guided conversation
(handlers/shared/conversation.py): a toggle per decision-maker, All and Done; with none, that is
said and the conversation goes on. Its draft has `readers` (their ids) and `readers_done`.

The service that owns the thing lists the decision-makers (and checks the role), and every id a
button carries is checked against that list again. Catalogue keys, from the conversation's
prefixes: texts `ask_readers`, `no_readers`; buttons `all`, `readers_done`. Buttons carry
`<action>:<draft id>:rd:<telegram id>|rdall|rddone`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup, Update

from bot.services.consultations import Reader
from bot.services.errors import InvalidChoice
from handlers.shared.common import ForumContext, say, show_key
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import Press
from handlers.shared.keyboards import keyboard, labelled

CHOSEN_MARK = "✅ "
PRESSES = ("rd", "rdall", "rddone")  # one in or out, all of them, done


@dataclass(frozen=True)
class ReaderFields:
    """The fields this step fills in a draft; a conversation's draft has them."""

    readers: tuple[int, ...] = ()
    readers_done: bool = False


class DecisionMakers(Protocol):
    """What lists the decision-makers: the service of the thing being set up."""

    async def decision_makers(self, actor_id: int) -> list[Reader]:
        """Every decision-maker, for a coordinator (NotAllowed otherwise)."""
        ...


def reader_name(context: ForumContext, reader: Reader) -> str:
    """A decision-maker's first name, or their id when they never joined."""
    if reader.first_name:
        return reader.first_name
    return context.services.texts.plain("newpoll.reader_unknown", user_id=reader.telegram_id)


class ReadersPicker:
    """The "who gets the results" step of one conversation."""

    def __init__(
        self, conversation: Conversation, *, service: Callable[[ForumContext], DecisionMakers]
    ) -> None:
        """``service`` gives the service that lists the decision-makers."""
        self.drafts = conversation
        self.service = service
        self.step = Step(
            missing=lambda d: not d.readers_done,
            ask=self.ask,
            presses=dict.fromkeys(PRESSES, self.pick),
        )

    async def everyone(self, update: Update, context: ForumContext) -> list[Reader]:
        """Every decision-maker (the role checked by the service)."""
        return await self.service(context).decision_makers(update.effective_user.id)

    def keyboard(
        self, context: ForumContext, draft: Any, readers: list[Reader]
    ) -> InlineKeyboardMarkup:
        """One toggle per decision-maker (chosen ones ticked), then All and Done, then Cancel."""
        drafts, buttons = self.drafts, self.drafts.buttons
        rows = []
        for reader in readers:
            mark = CHOSEN_MARK if reader.telegram_id in draft.readers else ""
            label = mark + reader_name(context, reader)
            rows.append([labelled(label, drafts.action, draft.id, "rd", reader.telegram_id)])
        rows.append(
            [
                drafts.button(context, buttons + "all", draft, "rdall"),
                drafts.button(context, buttons + "readers_done", draft, "rddone"),
            ]
        )
        rows.append(drafts.cancel_row(context, draft))
        return keyboard(rows)

    async def ask(self, update: Update, context: ForumContext, draft: Any) -> None:
        """Which decision-makers get the results (coordinators always do); none: said, and on."""
        readers = await self.everyone(update, context)
        if not readers:
            await say(update, context, self.drafts.texts + "no_readers")
            await self.drafts.save_and_continue(
                update, context, draft.with_changes(readers=(), readers_done=True)
            )
            return
        markup = self.keyboard(context, draft, readers)
        await say(update, context, self.drafts.texts + "ask_readers", markup)

    async def pick(self, update: Update, context: ForumContext, press: Press) -> Any:
        """Toggle one decision-maker, choose all, or finish; every id is checked again."""
        what, draft = press.what, press.draft
        readers = await self.everyone(update, context)
        known = [reader.telegram_id for reader in readers]
        chosen = set(draft.readers) & set(known)
        if what == "rd":
            reader_id = press.number()
            if reader_id not in known:
                raise InvalidChoice
            chosen ^= {reader_id}
        elif what == "rdall":
            chosen = set(known)
        draft = draft.with_changes(readers=tuple(r for r in known if r in chosen))
        if what == "rddone":
            return draft.with_changes(readers_done=True)
        self.drafts.keep(context, draft)
        markup = self.keyboard(context, draft, readers)
        await show_key(update, context, self.drafts.texts + "ask_readers", markup)
        return None

    async def chosen_names(self, update: Update, context: ForumContext, draft: Any) -> list[str]:
        """The names of the decision-makers chosen who still are ones (for the preview)."""
        if not draft.readers:
            return []
        names = {
            r.telegram_id: reader_name(context, r) for r in await self.everyone(update, context)
        }
        return [names[r] for r in draft.readers if r in names]
