"""UTF-16 helpers and the entities Telegram adds on its own (bot commands) or trims away."""

from __future__ import annotations

import re
from typing import Any

_COMMAND = re.compile(r"(?<![\w/@])/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_TRIM = " \t\r\n"


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, the unit of Telegram's offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Return the part of ``text`` an entity with UTF-16 ``offset`` and ``length`` covers."""
    if text.isascii():
        return text[offset : offset + length]
    raw = text.encode("utf-16-le", "surrogatepass")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", "surrogatepass")


def bot_command_entities(text: str) -> list[dict[str, Any]]:
    """Return the ``bot_command`` entities Telegram attaches to a user's text."""
    if "/" not in text:
        return []
    found = []
    for match in _COMMAND.finditer(text):
        offset = utf16_len(text[: match.start()])
        found.append({"type": "bot_command", "offset": offset, "length": len(match.group(0))})
    return found


def trim_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip outer whitespace not covered by an entity, shifting entities like Telegram does."""
    stripped = text.strip(_TRIM)
    if len(stripped) == len(text):
        return text, entities
    lead = len(text) - len(text.lstrip(_TRIM))
    trail = len(text) - len(text.rstrip(_TRIM))
    if entities:
        total = utf16_len(text)
        lead = min(lead, min(e["offset"] for e in entities))
        trail = min(trail, total - max(e["offset"] + e["length"] for e in entities))
    # Whitespace characters are one UTF-16 unit each, so characters and units agree here.
    new_text = text[lead : len(text) - trail] if trail else text[lead:]
    if lead:
        entities = [{**e, "offset": e["offset"] - lead} for e in entities]
    return new_text, entities
