"""What free text a person is expected to type next (a short message, say), per chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.common import ForumContext

TextStep = Callable[[Update, ForumContext, str], Awaitable[None]]
PromptStep = Callable[[Update, ForumContext], Awaitable[None]]

_KEY = "awaiting"
_steps: dict[str, tuple[TextStep, PromptStep]] = {}


def define(name: str, on_text: TextStep, prompt: PromptStep) -> None:
    """Declare a step: what to do with the text, and how to ask for it again."""
    _steps[name] = (on_text, prompt)


def expect(context: ForumContext, name: str) -> None:
    """Remember that the next free text in this chat belongs to a step."""
    if name not in _steps:
        raise KeyError(name)
    context.user_data[_KEY] = name


def clear(context: ForumContext) -> None:
    """Forget any step this person was in."""
    context.user_data.pop(_KEY, None)


def current(context: ForumContext) -> str | None:
    """The step this person is in, if any."""
    name = context.user_data.get(_KEY) if context.user_data is not None else None
    return name if name in _steps else None


async def take_text(update: Update, context: ForumContext, text: str) -> bool:
    """Give free text to the step waiting for it; False if none is waiting."""
    name = current(context)
    if name is None:
        return False
    await _steps[name][0](update, context, text)
    return True


async def prompt_again(update: Update, context: ForumContext) -> bool:
    """Ask again for the step this person was in; False if none."""
    name = current(context)
    if name is None:
        return False
    await _steps[name][1](update, context)
    return True
