"""Split long texts for Telegram's 4,096-character limit without cutting words or HTML tags."""

from __future__ import annotations

TELEGRAM_LIMIT = 4096


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts as two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries; never lose a character.

    Texts are catalogue HTML whose tags sit within one paragraph, so splitting between
    paragraphs and lines keeps tags balanced; a single over-long line is split at spaces,
    and a tag that would be cut is moved whole to the next part.
    """
    if limit < 16:
        raise ValueError("limit too small")
    if units(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if not current:
            current = piece
        elif units(current) + units(piece) <= limit:
            current += piece
        else:
            parts.append(current)
            current = piece
    if current or not parts:
        parts.append(current)
    cleaned = [part.strip("\n") for part in parts]
    return [part for part in cleaned if part.strip()] or [text[: _chars_within(text, limit)]]


def _pieces(text: str, limit: int) -> list[str]:
    """Lines (with their newline) small enough to fit, breaking long lines at spaces."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while units(line) > limit:
            cut = _safe_cut(line, _chars_within(line, limit))
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    return pieces


def _chars_within(line: str, limit: int) -> int:
    """How many leading characters of the line fit in `limit` UTF-16 units."""
    total = 0
    for index, char in enumerate(line):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            return index
    return len(line)


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut an over-long line: the last space before the limit, outside any tag."""
    cut = line.rfind(" ", 0, limit)
    if cut <= 0:
        cut = limit
    open_bracket = line.rfind("<", 0, cut)
    if open_bracket > line.rfind(">", 0, cut) and open_bracket > 0:
        cut = open_bracket
    return cut
