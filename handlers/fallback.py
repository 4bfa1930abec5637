"""No wrong door: text for a waiting step goes there; a hello or a thank you gets a friendly
reply; anything else gets a kind reply. Each comes with the menu."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers import awaiting
from handlers.common import ForumApp, ForumContext, answer, say
from handlers.keyboards import main_menu

HELLO, THANKS = "hello", "thanks"
MAX_WORDS = 8  # longer messages say more than hello, so they get the usual reply
# Words that make a message a hello, or a thank you (checked squashed too: "hiii", "thanksss").
_HELLO_WORDS = {
    "hello",
    "hullo",
    "hallo",
    "helo",
    "hi",
    "hiya",
    "heya",
    "hey",
    "heyup",
    "eyup",
    "howdy",
    "alright",
    "greetings",
    "morning",
    "afternoon",
    "evening",
    "gm",
}
_THANKS_WORDS = {
    "thanks",
    "thank",
    "thankyou",
    "thanx",
    "thnx",
    "thx",
    "ty",
    "tyvm",
    "ta",
    "cheers",
    "appreciated",
    "grateful",
}
# Words that may come with them ("hi there", "thank you so much for your help"). Goodbyes and
# "everything" are left out on purpose: "thanks for everything" can be a goodbye, so it gets
# the usual reply (the crisis net has heard every message first).
_WITH_WORDS = {
    "a",
    "again",
    "all",
    "and",
    "are",
    "bot",
    "brilliant",
    "doing",
    "everybody",
    "everyone",
    "folks",
    "for",
    "going",
    "good",
    "great",
    "guys",
    "help",
    "how",
    "hun",
    "i",
    "is",
    "it",
    "lot",
    "lots",
    "love",
    "lovely",
    "mate",
    "many",
    "much",
    "nice",
    "oh",
    "ok",
    "okay",
    "pal",
    "really",
    "reply",
    "so",
    "team",
    "that",
    "the",
    "there",
    "this",
    "too",
    "u",
    "up",
    "very",
    "what's",
    "whats",
    "x",
    "xx",
    "xxx",
    "you",
    "your",
    "y'all",
}
_NOT_A_WORD = re.compile(r"[^\w' ]+")


def _squash(word: str) -> str:
    """A word with repeated letters made single: 'hiiii' and 'hi' read the same."""
    return re.sub(r"(.)\1+", r"\1", word)


_SQUASHED = {
    **{_squash(word): None for word in _WITH_WORDS},
    **{_squash(word): HELLO for word in _HELLO_WORDS},
    **{_squash(word): THANKS for word in _THANKS_WORDS},
}
_KNOWN = {
    **dict.fromkeys(_WITH_WORDS),
    **dict.fromkeys(_HELLO_WORDS, HELLO),
    **dict.fromkeys(_THANKS_WORDS, THANKS),
}


def small_talk(text: str) -> str | None:
    """HELLO for 'hi', 'hiya', 'good morning'; THANKS for 'thanks', 'cheers', 'thank you so
    much'; None for anything else, including a hello with more in it ('hi, I need help')."""
    words = _NOT_A_WORD.sub(" ", text.casefold().replace("’", "'")).split()
    if not words or len(words) > MAX_WORDS:
        return None
    kinds = set()
    for word in (w.strip("'") for w in words):
        if word in _KNOWN:
            kinds.add(_KNOWN[word])
        elif _squash(word) in _SQUASHED:
            kinds.add(_SQUASHED[_squash(word)])
        else:
            return None
    if THANKS in kinds:
        return THANKS
    return HELLO if HELLO in kinds else None


async def on_anything(update: Update, context: ForumContext) -> None:
    """Give free text to a waiting step, answer a hello or a thank you, or say what the bot
    can do; each with the menu."""
    message = update.effective_message
    if (
        message.text
        and not message.text.startswith("/")
        and await awaiting.take_text(update, context, message.text)
    ):
        return
    if not message.text and await awaiting.take_other(update, context):
        return  # a photo or sticker where a button was expected: the question again
    member = await context.services.members.get(update.effective_user.id)
    is_member = member is not None and member.setup_done
    menu = main_menu(context, is_member)
    talk = small_talk(message.text) if message.text and not message.text.startswith("/") else None
    if talk is not None and member is not None and is_member:
        await say(update, context, f"fallback.{talk}_member", menu, name=member.first_name)
        return
    if talk is not None:
        await say(update, context, f"fallback.{talk}_visitor", menu)
        return
    key = "fallback.member" if is_member else "fallback.visitor"
    await say(update, context, key, menu)


async def on_unknown_button(update: Update, context: ForumContext) -> None:
    """A button no handler knows (old, or forged): answer it and say it is out of date."""
    await answer(update, context)
    await say(update, context, "errors.stale_choice")


async def in_group(update: Update, context: ForumContext) -> None:
    """Commands in a group: point people to a private chat, where the bot works."""
    await say(update, context, "fallback.group")


def register(app: ForumApp) -> None:
    """Add the catch-alls; registered last so every other handler goes first."""
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE, on_anything))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, in_group))
    app.add_handler(CallbackQueryHandler(on_unknown_button))
