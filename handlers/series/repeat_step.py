"""The optional "Repeat" step of /newpoll and /newsurvey (handlers/shared/conversation.py):
just once is the default and is never asked; the preview says "Repeats: No, just once" and its
"Change something" list offers "How it repeats": just once, a ready rule, or one typed in plain
words ("every month on the first Monday at 10:00 for 7 days"). A rule sets the draft's opening
and closing to its first round; "just once" after a rule asks them again.

It sits before the opening step. Its draft has `repeat_asking` (the step is being asked) and
`repeat` (the rule, or None for once). Texts are `series.*`; buttons carry
`<action>:<draft id>:rp:once|m|w|own`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

from telegram import Update

from bot.services.errors import InvalidChoice
from bot.services.series.rules import MONTH, WEEK, RepeatRule
from handlers.series.messages import day_words, rule_label, rule_words
from handlers.shared.common import ForumContext
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import Press
from handlers.shared.keyboards import labelled

WHAT = "rp"
# Ready rules: the monthly pulse check and a weekly one.
READY = {
    "m": RepeatRule(MONTH, 0, 1, time(10, 0), 7),
    "w": RepeatRule(WEEK, 0, None, time(10, 0), 3),
}


@dataclass(frozen=True)
class RepeatFields:
    """The fields this step fills in a draft."""

    repeat_asking: bool = False
    repeat: RepeatRule | None = None


class RepeatStep:
    """The Repeat step of one conversation, and the typed rule asked from its button."""

    def __init__(self, conversation: Conversation, *, awaits: str) -> None:
        """``awaits`` names the awaiting step of the typed rule."""
        self.drafts = conversation
        self.step = Step(
            missing=lambda d: d.repeat_asking,
            ask=self.ask,
            presses={WHAT: self.pressed},
        )
        self.typed = Step(
            ask=conversation.question("series.ask_rule"),
            awaits=awaits,
            read=self.read,
            refused=conversation.only_cancel,
        )

    async def ask(self, update: Update, context: ForumContext, draft: Any) -> None:
        """Just once, the ready rules, or type one."""
        texts = context.services.texts
        button = self.drafts.button
        rows = [[button(context, "series.button_once", draft, WHAT, "once")]]
        for key, rule in READY.items():
            label = rule_label(texts, rule)
            rows.append([labelled(label, self.drafts.action, draft.id, WHAT, key)])
        rows.append([button(context, "series.button_own_rule", draft, WHAT, "own")])
        await self.drafts.question("series.ask_repeat", lambda c, d: rows)(update, context, draft)

    async def pressed(self, update: Update, context: ForumContext, press: Press) -> Any:
        """Once, a ready rule, or ask for a typed one."""
        draft = press.draft
        if press.arg == "once":
            if draft.repeat is not None:  # the rule had set the times: ask them now
                draft = draft.with_changes(opens_chosen=False, opens_at=None, closes_at=None)
            return draft.with_changes(repeat_asking=False, repeat=None)
        if press.arg == "own":
            await self.drafts.ask_step(update, context, draft, self.typed)
            return None
        if press.arg not in READY:
            raise InvalidChoice
        return self.with_rule(context, draft, READY[press.arg])

    async def read(self, update: Update, context: ForumContext, draft: Any, text: str) -> Any:
        """A typed rule (RuleRefused says what is missing, with an example)."""
        return self.with_rule(context, draft, context.services.series.read_rule(text))

    @staticmethod
    def with_rule(context: ForumContext, draft: Any, rule: RepeatRule) -> Any:
        """The draft repeating by ``rule``, opening and closing as its first round."""
        opens, closes = context.services.series.first_opening(rule)
        return draft.with_changes(
            repeat_asking=False,
            repeat=rule,
            opens_chosen=True,
            opens_at=opens,
            closes_at=closes,
        )

    @staticmethod
    def cleared(draft: Any) -> Any:
        """The draft with the repeat to choose (the preview's "How it repeats")."""
        return draft.with_changes(repeat_asking=True)

    @staticmethod
    def times_cleared(times: Any) -> Callable[[Any], Any]:
        """The preview's "change the times" (``times``: the conversation's OpenClose): for a
        series the times come from its rule, so the repeat is asked again first."""

        def clear(draft: Any) -> Any:
            cleared = times.cleared(draft)
            return cleared if draft.repeat is None else cleared.with_changes(repeat_asking=True)

        return clear

    @staticmethod
    def words(context: ForumContext, draft: Any) -> str:
        """For the preview: "Just once", or the rule and the first round's day."""
        texts = context.services.texts
        if draft.repeat is None or draft.opens_at is None:
            return texts.plain("series.preview_once")
        services = context.services
        return texts.plain(
            "series.preview_rule",
            rule=rule_words(texts, draft.repeat),
            next=day_words(draft.opens_at, services.settings.zone, services.clock.now()),
        )
