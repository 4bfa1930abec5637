"""When something a coordinator sets up opens and closes, as steps of a guided conversation
(handlers/shared/conversation.py): "Now" or "At a set time" (typed), then a quick closing time
(at 5pm some days after it opens) or a typed one. Its draft has `opens_chosen`, `opens_at`
(None: as soon as it is confirmed) and `closes_at`.

The service that owns the thing reads typed times and checks them (`Times`), so each refusal
says why with its own catalogue text. Catalogue keys, from the conversation's prefixes: texts
`ask_opens`, `ask_opens_time`, `opens_too_far`, `ask_closes`; buttons `now`, `later`,
`3_days`, `1_week`, `2_weeks`. Buttons carry `<action>:<draft id>:now|later|close[:<days>]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup, Update

from bot.services.errors import InvalidChoice, ServiceError
from handlers.shared.common import ForumContext, say
from handlers.shared.conversation import Conversation, Refusal, Step
from handlers.shared.drafts import Press
from handlers.shared.keyboards import Row, keyboard

CLOSE_DAYS = {3: "3_days", 7: "1_week", 14: "2_weeks"}  # quick closing buttons: their label keys
CLOSE_HOUR = 17  # quick closing buttons close at 5pm local time


def days_after(start: datetime, days: int, zone: tzinfo) -> datetime:
    """5pm local time on the day ``days`` after ``start`` (local date), as UTC."""
    day = start.astimezone(zone).date() + timedelta(days=days)
    local = datetime(day.year, day.month, day.day, CLOSE_HOUR, tzinfo=zone)
    return local.astimezone(start.tzinfo)


@dataclass(frozen=True)
class OpeningFields:
    """The fields these steps fill in a draft (times in UTC); a conversation's draft has them."""

    opens_chosen: bool = False
    opens_at: datetime | None = None  # None: as soon as it is confirmed
    closes_at: datetime | None = None


class Times(Protocol):
    """What reads and checks the times: the service of the thing being set up."""

    def read_time(self, text: str) -> datetime:
        """A typed local time in the future, or a ServiceError saying what is wrong."""
        ...

    def check_times(self, opens_at: datetime | None, closes_at: datetime) -> None:
        """Refuse a closing time too soon after opening, or too far ahead."""
        ...


class OpenClose:
    """The opening and closing steps of one conversation."""

    def __init__(
        self,
        conversation: Conversation,
        *,
        times: Callable[[ForumContext], Times],
        min_open: timedelta,
        too_far: type[ServiceError],
        awaits_opens: str,
        awaits_closes: str,
    ) -> None:
        """``times`` gives the service that reads and checks times; ``min_open`` is the
        shortest time it may be open and ``too_far`` the refusal of a closing time too far
        ahead (an opening time leaving no room to close is refused as too far too)."""
        self.drafts = conversation
        self.times = times
        self.min_open = min_open
        self.too_far = too_far
        texts, buttons = conversation.texts, conversation.buttons
        self.opens = Step(
            missing=lambda d: not d.opens_chosen,
            ask=conversation.question(
                texts + "ask_opens",
                lambda c, d: [
                    [conversation.button(c, buttons + "now", d, "now")],
                    [conversation.button(c, buttons + "later", d, "later")],
                ],
            ),
            presses={"now": self.opens_now, "later": self.opens_later},
        )
        self.opens_at = Step(
            ask=conversation.question(texts + "ask_opens_time"),
            awaits=awaits_opens,
            read=self.read_opens,
            refused=conversation.only_cancel,
        )
        self.closes = Step(
            missing=lambda d: d.closes_at is None,
            ask=conversation.question(texts + "ask_closes", self.quick_closes),
            awaits=awaits_closes,
            read=self.read_closes,
            refused=self.closes_keyboard,
            presses={"close": self.quick_close},
        )

    @staticmethod
    def cleared(draft: Any) -> Any:
        """The draft with both times to choose again (the preview's "change the times")."""
        return draft.with_changes(opens_chosen=False, opens_at=None, closes_at=None)

    async def opens_now(self, update: Update, context: ForumContext, press: Press) -> Any:
        """It opens as soon as it is confirmed."""
        return press.draft.with_changes(opens_chosen=True, opens_at=None, closes_at=None)

    async def opens_later(self, update: Update, context: ForumContext, press: Press) -> None:
        """Ask for the opening time."""
        await self.drafts.ask_step(update, context, press.draft, self.opens_at)

    async def read_opens(self, update: Update, context: ForumContext, draft: Any, text: str) -> Any:
        """The opening time, with room left to close it within the furthest closing allowed."""
        times = self.times(context)
        opens_at = times.read_time(text)
        try:
            times.check_times(opens_at, opens_at + self.min_open)
        except self.too_far as error:
            raise Refusal(self.drafts.texts + "opens_too_far") from error
        return draft.with_changes(opens_chosen=True, opens_at=opens_at, closes_at=None)

    def quick_closes(self, context: ForumContext, draft: Any) -> list[Row]:
        """Quick closing times."""
        buttons = self.drafts.buttons
        return [
            [self.drafts.button(context, buttons + key, draft, "close", days)]
            for days, key in CLOSE_DAYS.items()
        ]

    def closes_keyboard(self, context: ForumContext, draft: Any) -> InlineKeyboardMarkup:
        """Quick closing times and Cancel."""
        return keyboard(
            [*self.quick_closes(context, draft), self.drafts.cancel_row(context, draft)]
        )

    def closing(self, context: ForumContext, draft: Any, closes_at: datetime) -> Any:
        """The draft closing then (ServiceError if it cannot close then)."""
        self.times(context).check_times(draft.opens_at, closes_at)
        return draft.with_changes(closes_at=closes_at)

    async def read_closes(
        self, update: Update, context: ForumContext, draft: Any, text: str
    ) -> Any:
        """A typed closing time."""
        return self.closing(context, draft, self.times(context).read_time(text))

    async def quick_close(self, update: Update, context: ForumContext, press: Press) -> Any:
        """A quick closing time: at 5pm some days after it opens."""
        days = press.number()
        if days not in CLOSE_DAYS:
            raise InvalidChoice
        services, draft = context.services, press.draft
        closes_at = days_after(draft.opens_at or services.clock.now(), days, services.settings.zone)
        try:
            return self.closing(context, draft, closes_at)
        except ServiceError as error:
            await say(update, context, error.reason, self.closes_keyboard(context, draft))
            return None
