"""Small talk: whether a short message is just a hello or a thank you (and nothing more)."""

from __future__ import annotations

import re

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
