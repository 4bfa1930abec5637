"""The step a person is in, per chat, so nobody loses their place.

A step is either a free-text step (a short note, a meeting's title) or a button step (the
privacy notice, the region picker, a "Yes / No" check). Free text goes to the step waiting
for it; "Carry on" after a crisis reply asks the step's question again, as a new message at
the bottom of the chat. Text typed at a button step gets a short kind line and the question
again, with its buttons.

The step name lives in user_data, which is in memory only. After a restart it is empty, and
a recoverer (joining registers one, reading the database) may find the step again. A step
cleared on purpose (/menu, /start, Cancel, a finished step) is remembered as "no step", so
no recoverer brings it back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.shared.common import ForumContext, say

TextStep = Callable[[Update, ForumContext, str], Awaitable[None]]
PromptStep = Callable[[Update, ForumContext], Awaitable[None]]
Recover = Callable[[ForumContext, int], Awaitable[str | None]]  # (context, user id) -> step

_KEY = "awaiting"
_steps: dict[str, tuple[TextStep, PromptStep]] = {}
_button_steps: set[str] = set()
_recoverers: dict[str, Recover] = {}


def define(name: str, on_text: TextStep, prompt: PromptStep) -> None:
    """Declare a step: what to do with the text, and how to ask for it again."""
    _steps[name] = (on_text, prompt)


def define_buttons(name: str, prompt: PromptStep, kind: str) -> None:
    """Declare a step answered with buttons. ``prompt`` asks its question with its buttons as
    a new message; typed text gets the catalogue line ``kind``, then the question again."""

    async def on_text(update: Update, context: ForumContext, text: str) -> None:
        """Text where a button was expected: say what to do, and ask again."""
        await say(update, context, kind)
        await prompt(update, context)

    define(name, on_text, prompt)
    _button_steps.add(name)


def recover_with(name: str, finder: Recover) -> None:
    """Add a way to find a person's step again when user_data knows nothing (after a
    restart): ``finder``, given the person's Telegram id, returns a defined step's name, or
    None."""
    _recoverers[name] = finder


def expect(context: ForumContext, name: str) -> None:
    """Remember that this person is now at a step."""
    if name not in _steps:
        raise KeyError(name)
    context.user_data[_KEY] = name


def clear(context: ForumContext) -> None:
    """This person is at no step now (kept as "none", so nothing recovers an old one)."""
    if context.user_data is not None:
        context.user_data[_KEY] = None


def leave_button_step(context: ForumContext, *names: str) -> None:
    """Clear the step if it is a button step (any, or one of ``names``): a menu or summary
    shown in its place ends it, while a free-text step elsewhere is kept."""
    name = current(context)
    if name in _button_steps and (not names or name in names):
        clear(context)


def current(context: ForumContext) -> str | None:
    """The step this person is in, as remembered in memory (no recovery)."""
    name = context.user_data.get(_KEY) if context.user_data is not None else None
    return name if name in _steps else None


async def find(update: Update, context: ForumContext) -> str | None:
    """The step this person is in; when memory knows nothing (after a restart), ask the
    recoverers and remember what they find."""
    data = context.user_data
    if data is None:
        return None
    if _KEY in data:
        return current(context)
    user = update.effective_user
    for finder in _recoverers.values() if user is not None else ():
        name = await finder(context, user.id)
        if name in _steps:
            data[_KEY] = name
            return name
    data[_KEY] = None
    return None


async def take_text(update: Update, context: ForumContext, text: str) -> bool:
    """Give free text to the step waiting for it; False if none is waiting."""
    name = await find(update, context)
    if name is None:
        return False
    await _steps[name][0](update, context, text)
    return True


async def take_other(update: Update, context: ForumContext) -> bool:
    """A photo, sticker or voice note at a button step: its kind line and question again, as
    for typed text; False if this person is not at a button step."""
    name = await find(update, context)
    if name not in _button_steps:
        return False
    await _steps[name][0](update, context, "")
    return True


async def prompt_again(update: Update, context: ForumContext) -> bool:
    """Ask again for the step this person was in, as a new message; False if none."""
    name = await find(update, context)
    if name is None:
        return False
    await _steps[name][1](update, context)
    return True
