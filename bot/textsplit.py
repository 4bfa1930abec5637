"""Split long texts for Telegram's 4,096-character limit without cutting words or HTML tags."""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_TAG = re.compile(r"<(/?)([a-z\-]+)[^>]*>")


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries; never lose a character.

    Texts are catalogue HTML whose tags sit within one paragraph, so splitting between
    paragraphs and lines keeps tags balanced; a single over-long line is split at spaces,
    and a tag that would be cut is moved whole to the next part.
    """
    if limit < 16:
        raise ValueError("limit too small")
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if not current:
            current = piece
        elif len(current) + len(piece) <= limit:
            current += piece
        else:
            parts.append(current)
            current = piece
    if current or not parts:
        parts.append(current)
    cleaned = [part.strip("\n") for part in parts]
    return [part for part in cleaned if part.strip()] or [text[:limit]]


def _pieces(text: str, limit: int) -> list[str]:
    """Lines (with their newline) small enough to fit, breaking long lines at spaces."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    return pieces


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: the last space before the limit, outside any tag."""
    cut = line.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit
    open_bracket = line.rfind("<", 0, cut)
    if open_bracket > line.rfind(">", 0, cut) and open_bracket > 0:
        cut = open_bracket
    return cut
