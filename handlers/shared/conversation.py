"""Guided conversations as lists of steps (/newpoll, /newmeeting, /broadcast).

A `Step` says when the draft still misses it, how to ask it, how to read a typed answer and
which buttons answer it. A `Conversation` (a DraftStore, handlers/shared/drafts.py) asks the first
missing step, shows the preview when none is missing, and lets a press ask any one step again
(change one field from the preview) without starting again: once that step is answered the
first missing one is asked, which is the preview again. Typed answers go through
handlers/shared/awaiting.py, so the crisis net answers at any step and "Carry on" asks it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.errors import InvalidChoice, ServiceError
from handlers.shared import awaiting
from handlers.shared.callbacks import pattern
from handlers.shared.common import ForumApp, ForumContext, say
from handlers.shared.drafts import D, DraftStore, Press
from handlers.shared.keyboards import Row, keyboard

Ask = Callable[[Update, ForumContext, Any], Awaitable[None]]
# A typed answer: the changed draft, or None when the reader said what to do itself; it may
# raise ServiceError or Refusal, said with the step's refusal buttons.
Read = Callable[[Update, ForumContext, Any, str], Awaitable[Any]]
# A button: the changed draft (kept, then the first missing step), or None when it did all.
OnPress = Callable[[Update, ForumContext, Press], Awaitable[Any]]
Buttons = Callable[[ForumContext, Any], InlineKeyboardMarkup | None]
T = TypeVar("T")


class Refusal(Exception):
    """A typed answer that cannot be used: the catalogue key that says why, and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def never(draft: object) -> bool:
    """A step asked only from a button is never the missing one."""
    return False


def no_buttons(context: ForumContext, draft: object) -> None:
    """No buttons under a refusal."""
    return None


@dataclass(frozen=True)
class Step(Generic[D]):
    """One thing a draft needs."""

    ask: Ask  # says the question with its buttons (the step is already remembered)
    missing: Callable[[Any], bool] = never  # whether the draft still needs it (order matters)
    awaits: str = ""  # its awaiting step for typed text; "" is the conversation's button step
    read: Read | None = None  # reads typed text; None: typed text gets "please use the buttons"
    refused: Buttons = no_buttons  # the buttons under a refused typed answer
    again: bool = False  # after a refused typed answer, ask the step again
    presses: Mapping[str, OnPress] = field(default_factory=dict)  # its buttons by `what`
    change: str = ""  # a button `what` that asks this step again (from the preview)
    prompt: Ask | None = None  # "Carry on" at its awaiting step; default: ask it again
    kind_line: str = ""  # a buttons-only step of its own: the line typed text gets


@dataclass(frozen=True)
class Change(Generic[D]):
    """A field the preview's "Change something" list offers: its button label, its `what`,
    and the draft without it (so that step is the first missing one and is asked again)."""

    label: str
    what: str
    clear: Callable[[Any], Any]


class Conversation(DraftStore[D]):
    """One guided conversation: its draft store, its steps in order, preview and finish."""

    def __init__(
        self,
        action: str,
        *,
        permission: str,
        button_step: str,
        preview_awaits: str = "",
        **store: Any,
    ) -> None:
        """The DraftStore's settings, the role permission its buttons need, and the awaiting
        step shared by its button questions (the preview waits there too, unless
        ``preview_awaits`` names another)."""
        super().__init__(action, **store)
        self.permission = permission
        self.button_step = button_step
        self.preview_awaits = preview_awaits or button_step
        self.steps: tuple[Step[D], ...] = ()
        self.extra: tuple[Step[D], ...] = ()
        self._preview: Callable[[Update, ForumContext, D], Awaitable[None]] | None = None
        self._finish: Callable[[Update, ForumContext, D], Awaitable[None]] | None = None
        self._fresh: Callable[[], D] | None = None
        self._presses: dict[str, OnPress] = {}
        self._changes: tuple[Change[D], ...] = ()
        self.command = ""

    def define(
        self,
        steps: Sequence[Step[D]],
        *,
        preview: Callable[[Update, ForumContext, D], Awaitable[None]],
        finish: Callable[[Update, ForumContext, D], Awaitable[None]],
        fresh: Callable[[], D] | None = None,
        extra: Sequence[Step[D]] = (),
        presses: Mapping[str, OnPress] | None = None,
        command: str = "",
        changes: Sequence[Change[D]] = (),
    ) -> None:
        """The steps in the order they are asked, steps asked only from a button (``extra``),
        the preview, what "go" does, a fresh draft for "start again" and for ``command`` (a
        coordinator's command starting it afresh, when it has one), other buttons, and the
        fields the preview's "Change something" list offers."""
        self.command = command
        self.steps, self.extra = tuple(steps), tuple(extra)
        self._preview, self._finish, self._fresh = preview, finish, fresh
        self._presses = dict(presses or {})
        self._changes = tuple(changes)
        if self._changes:
            self._presses["chg"] = self._change_list
            self._presses["back"] = _unchanged
            for change in self._changes:
                self._presses[change.what] = _clearing(change)
        for step in (*self.steps, *self.extra):
            for what, on_press in step.presses.items():
                self._presses.setdefault(what, on_press)
            if step.change:
                self._presses.setdefault(step.change, self._changer(step))

    def confirm_keyboard(
        self, context: ForumContext, draft: D, confirm: str, again: str
    ) -> InlineKeyboardMarkup:
        """The preview's buttons: confirm, "Change something" (when fields are offered),
        start again and Cancel."""
        rows = [[self.button(context, confirm, draft, "go")]]
        if self._changes:
            rows.append([self.button(context, self.buttons + "change_something", draft, "chg")])
        rows.append([self.button(context, again, draft, "again")])
        rows.append(self.cancel_row(context, draft))
        return keyboard(rows)

    async def _change_list(self, update: Update, context: ForumContext, press: Press) -> None:
        """What the preview can change, one button each, and back to the preview."""
        draft = press.draft
        rows = [[self.button(context, c.label, draft, c.what)] for c in self._changes]
        rows.append([self.button(context, self.buttons + "back_to_check", draft, "back")])
        rows.append(self.cancel_row(context, draft))
        awaiting.expect(context, self.button_step)
        await say(update, context, self.texts + "change_what", keyboard(rows))

    def _changer(self, step: Step[D]) -> OnPress:
        """A press that asks one step again, keeping everything else."""

        async def change(update: Update, context: ForumContext, press: Press) -> None:
            """Ask this step again."""
            await self.ask_step(update, context, press.draft, step)

        return change

    # Asking

    def missing(self, draft: D) -> Step[D] | None:
        """The first step the draft still needs, or None when it is ready for the preview."""
        return next((step for step in self.steps if step.missing(draft)), None)

    async def ask_step(
        self, update: Update, context: ForumContext, draft: D, step: Step[D]
    ) -> None:
        """Remember the step and ask it."""
        awaiting.expect(context, step.awaits or self.button_step)
        await step.ask(update, context, draft)

    async def next(self, update: Update, context: ForumContext, draft: D) -> None:
        """Ask for the first thing still missing, or show the preview."""
        step = self.missing(draft)
        if step is not None:
            await self.ask_step(update, context, draft, step)
            return
        assert self._preview is not None
        awaiting.expect(context, self.preview_awaits)
        await self._preview(update, context, draft)

    async def save_and_continue(self, update: Update, context: ForumContext, draft: D) -> None:
        """Keep the changed draft and ask for the next thing it still needs."""
        self.keep(context, draft)
        await self.next(update, context, draft)

    async def begin(self, update: Update, context: ForumContext, draft: D) -> None:
        """Start with this draft: keep it and ask its first step."""
        await self.save_and_continue(update, context, draft)

    async def start(self, update: Update, context: ForumContext) -> None:
        """The conversation's command: any step left, the role checked, a fresh draft."""
        awaiting.clear(context)
        await context.services.roles.require_coordinator(update.effective_user.id, self.permission)
        assert self._fresh is not None
        await self.begin(update, context, self._fresh())

    async def store(
        self,
        update: Update,
        context: ForumContext,
        draft: D,
        create: Callable[[], Awaitable[T]],
        redo: Callable[[D, ServiceError], D] | None = None,
    ) -> T | None:
        """Use the draft once: it is taken first, so a double tap cannot use it twice, then
        ``create`` runs. When the service refuses, nothing was stored: the draft is kept
        (``redo`` takes out the part that needs another go), the reason said and what it
        needs asked. The step ends once created; None when it was not."""
        if not await self.claim(update, context):
            return None
        try:
            created = await create()
        except ServiceError as error:
            await self.give_back(
                update, context, redo(draft, error) if redo else draft, error.reason
            )
            return None
        except BaseException:
            self.keep(context, draft)
            raise
        awaiting.clear(context)
        return created

    async def prompt(self, update: Update, context: ForumContext) -> None:
        """Ask again for the step the coordinator is in (after a crisis reply, say)."""
        draft = await self.current(update, context)
        if draft is not None:
            await self.next(update, context, draft)

    async def give_back(self, update: Update, context: ForumContext, draft: D, reason: str) -> None:
        """Nothing was stored: keep the draft, say why, and ask for what it still needs."""
        self.keep(context, draft)
        await say(update, context, reason)
        await self.prompt(update, context)

    async def on_buttons_text(self, update: Update, context: ForumContext, text: str) -> None:
        """Text where a button was expected: say so and ask again."""
        await say(update, context, self.texts + "use_buttons")
        await self.prompt(update, context)

    # Ready-made asks and steps

    def question(self, key: str, rows: Callable[[ForumContext, D], list[Row]] | None = None) -> Ask:
        """An ask that says the catalogue text ``key`` with ``rows`` of buttons and Cancel."""

        async def ask(update: Update, context: ForumContext, draft: D) -> None:
            """Say the question with its buttons."""
            above = rows(context, draft) if rows is not None else []
            await say(update, context, key, keyboard([*above, self.cancel_row(context, draft)]))

        return ask

    def choice(
        self,
        key: str,
        what: str,
        options: Sequence[tuple[str, object]],
        choose: Callable[[D, str], D],
        *,
        per_row: int = 1,
        **step: Any,
    ) -> Step[D]:
        """A question answered by one of a few buttons (label key, value): ``choose`` puts the
        value pressed into the draft; a value not offered is refused."""
        values = [str(value) for _, value in options]

        def rows(context: ForumContext, draft: D) -> list[Row]:
            """The options, ``per_row`` to a row."""
            buttons = [self.button(context, label, draft, what, value) for label, value in options]
            return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]

        async def chosen(update: Update, context: ForumContext, press: Press) -> D:
            """The value pressed, checked against the options."""
            if press.arg not in values:
                raise InvalidChoice
            return choose(press.draft, press.arg)

        return Step(ask=self.question(key, rows), presses={what: chosen}, **step)

    # Typed answers and buttons

    def _text_reader(self, step: Step[D]) -> awaiting.TextStep:
        """What typed text at the step does."""

        async def on_text(update: Update, context: ForumContext, text: str) -> None:
            """Read the answer; keep it and go on, or say why not and keep the draft."""
            draft = await self.current(update, context)
            if draft is None:
                return
            if step.read is None:
                await say(update, context, self.texts + "use_buttons")
                await self.ask_step(update, context, draft, step)
                return
            try:
                changed = await step.read(update, context, draft, text)
            except (ServiceError, Refusal) as error:
                key, values = (
                    (error.key, error.values) if isinstance(error, Refusal) else (error.reason, {})
                )
                await say(update, context, key, step.refused(context, draft), **values)
                if step.again:
                    await self.ask_step(update, context, draft, step)
                return
            if changed is not None:
                await self.save_and_continue(update, context, changed)

        return on_text

    def _asker(self, step: Step[D]) -> awaiting.PromptStep:
        """What "Carry on" at the step does."""

        async def ask_again(update: Update, context: ForumContext) -> None:
            """Ask the step again, if the draft is still there."""
            draft = await self.current(update, context)
            if draft is None:
                return
            if step.prompt is not None:
                await step.prompt(update, context, draft)
            else:
                await self.ask_step(update, context, draft, step)

        return ask_again

    async def on_button(self, update: Update, context: ForumContext) -> None:
        """Every draft button; the draft id must match and the role is checked again."""
        press = await self.pressed(update, context, self.permission)
        if press is None:
            return
        draft, what = press.draft, press.what
        if what == "cancel":
            await self.cancel_pressed(update, context)
        elif what == "go":
            if self.missing(draft) is not None:
                raise InvalidChoice
            assert self._finish is not None
            await self._finish(update, context, draft)
        elif what == "again" and self._fresh is not None:
            await self.save_and_continue(update, context, self._fresh())
        elif what in self._presses:
            changed = await self._presses[what](update, context, press)
            if changed is not None:
                await self.save_and_continue(update, context, changed)
        else:
            raise InvalidChoice

    def register(self, app: ForumApp) -> None:
        """Declare the conversation's awaiting steps and add its command and buttons."""
        if self.button_step not in {step.awaits for step in (*self.steps, *self.extra)}:
            awaiting.define(self.button_step, self.on_buttons_text, self.prompt)
        for step in (*self.steps, *self.extra):
            if not step.awaits:
                continue
            if step.kind_line:
                awaiting.define_buttons(step.awaits, self._asker(step), step.kind_line)
            else:
                awaiting.define(step.awaits, self._text_reader(step), self._asker(step))
        app.add_handler(CallbackQueryHandler(self.on_button, pattern(self.action)))
        if self.command:
            app.add_handler(CommandHandler(self.command, self.start, filters.ChatType.PRIVATE))


async def _unchanged(update: Update, context: ForumContext, press: Press) -> Any:
    """Back to the preview with nothing changed."""
    return press.draft


def _clearing(change: Change[Any]) -> OnPress:
    """A press that takes one field out, so its step is asked again and then the preview."""

    async def clear(update: Update, context: ForumContext, press: Press) -> Any:
        """The draft without the field."""
        return change.clear(press.draft)

    return clear
