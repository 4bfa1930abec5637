"""Deep links that open a private chat with the bot (``https://t.me/<bot>?start=<payload>``)
from a group chat's posts: public payloads, never invitation tokens, never an id."""

from __future__ import annotations

from bot.delivery.group_posts import HELP, JOIN, MEETINGS, SAY

PUBLIC = frozenset({JOIN, MEETINGS, SAY, HELP})


def link(bot_username: str, payload: str) -> str:
    """The link that opens a private chat with the bot with this payload."""
    return f"https://t.me/{bot_username}?start={payload}"


def is_public(payload: str) -> bool:
    """Whether a /start payload is one of the bot's own public links (never a token)."""
    return payload in PUBLIC
