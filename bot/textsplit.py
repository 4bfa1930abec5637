"""Split long HTML texts for Telegram's 4,096-character limit without breaking them.

Telegram counts a text's length after reading its HTML: tags count nothing and ``&amp;`` counts
one, in UTF-16 code units (an emoji counts two). So a member's 1,000 ampersands, escaped to
5,000 characters of HTML, still fit in one message, and a text is split only when what a
person reads is too long. A split never falls inside a tag or an entity (``&amp;``), and never
leaves a tag open: the tags open at a cut are closed at the end of the part and opened again
at the start of the next, so every part is HTML that Telegram reads, with the same bold,
italics and links as the whole.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

TELEGRAM_LIMIT = 4096
# A tag (<b>, </i>, <a href="...">) or a character reference (&amp; &#39; &#x27;).
_MARKUP = re.compile(r"<[^<>]*>|&(?:#[0-9]{1,8}|#x[0-9A-Fa-f]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
# The entities Telegram reads as one character; any other name stays as written.
_NAMED = frozenset({"lt", "gt", "amp", "quot"})
_TEXT, _OPEN, _CLOSE = 0, 1, 2
_ZWJ = "\u200d"


class _Token(NamedTuple):
    """One unit a cut may fall between: a character, a character reference or a tag."""

    raw: str
    width: int  # UTF-16 units Telegram counts for it once the HTML is read
    kind: int = _TEXT
    name: str = ""  # the tag's name, for tags

    @property
    def blank(self) -> bool:
        """A whitespace character (where a cut is best made, and which a cut may drop)."""
        return self.kind == _TEXT and self.raw.isspace()


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts as two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_units(text_html: str) -> int:
    """How long Telegram counts an HTML text: tags removed, entities read, in UTF-16 units."""
    if "<" not in text_html and "&" not in text_html:
        return units(text_html)
    return sum(token.width for token in _tokens(text_html))


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML into parts of at most ``limit`` units as Telegram counts them; never lose
    a character.

    Cuts fall at the last line break in the second half of a part, else at the last space
    there, else between two characters as late as they fit (never inside a tag, an entity or
    a character joined to the next, such as an emoji's skin tone). A short text comes back as
    it is; parts are trimmed of whitespace at the cut, and a part with nothing to read is left
    out.
    """
    if limit < 16:
        raise ValueError("limit too small")
    if units(text) <= limit:
        return [text]
    tokens = _tokens(text)
    if sum(token.width for token in tokens) <= limit:
        return [text]
    parts: list[str] = []
    opened: list[_Token] = []  # tags open where the current part begins
    start = 0
    while start < len(tokens):
        end = _cut(tokens, start, limit)
        part, opened = _render(tokens, start, end, opened)
        if part is not None:
            parts.append(part)
        start = end
    return parts or [text]


def _tokens(text: str) -> list[_Token]:
    """The text as characters, character references and tags, each with its width."""
    tokens: list[_Token] = []
    at = 0
    for match in _MARKUP.finditer(text):
        tokens.extend(_Token(char, _width(char)) for char in text[at : match.start()])
        raw = match.group(0)
        tokens.append(_markup(raw))
        at = match.end()
    tokens.extend(_Token(char, _width(char)) for char in text[at:])
    return tokens


def _width(char: str) -> int:
    """UTF-16 units of one character."""
    return 2 if ord(char) > 0xFFFF else 1


def _markup(raw: str) -> _Token:
    """A tag (no width) or a character reference (the width of what Telegram reads)."""
    if raw.startswith("<"):
        name = _TAG_NAME.match(raw)
        if name is None:  # not a tag Telegram knows; counted as written
            return _Token(raw, units(raw))
        kind = _CLOSE if name.group(1) else _OPEN
        return _Token(raw, 0, kind, name.group(2).lower())
    body = raw[1:-1]
    if body in _NAMED:
        return _Token(raw, 1)
    if body.startswith("#"):
        value = int(body[2:], 16) if body[1:2] == "x" else int(body[1:])
        if 0 < value < 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
            return _Token(raw, 2 if value > 0xFFFF else 1)
    return _Token(raw, units(raw))  # an entity Telegram does not read: counted as written


def _cut(tokens: list[_Token], start: int, limit: int) -> int:
    """Where the part starting at ``start`` ends (exclusive)."""
    total = 0
    end = start
    widths: list[int] = []  # width up to and including each token from start
    while end < len(tokens) and total + tokens[end].width <= limit:
        total += tokens[end].width
        widths.append(total)
        end += 1
    if end == len(tokens):
        return end
    cut = _best_break(tokens, start, end, widths, limit)
    # Tags stay with their text: end tags just after the cut close this part; start tags just
    # before it open the next one.
    while cut < len(tokens) and tokens[cut].kind == _CLOSE:
        cut += 1
    while cut - 1 > start and tokens[cut - 1].kind == _OPEN:
        cut -= 1
    return max(cut, start + 1)


def _best_break(tokens: list[_Token], start: int, end: int, widths: list[int], limit: int) -> int:
    """A cut in (start, end]: the last line break or else the last space, if either leaves
    the part at least half full; otherwise ``end``."""
    last_newline = last_space = None
    for index in range(end - 1, start, -1):
        raw = tokens[index].raw
        if raw == "\n" and last_newline is None:
            last_newline = index
        elif tokens[index].blank and last_space is None:
            last_space = index
        if last_newline is not None and last_space is not None:
            break
    if last_newline is not None and widths[last_newline - start] * 2 >= limit:
        return last_newline + 1
    if last_space is not None and widths[last_space - start] * 2 >= limit:
        return last_space + 1
    return _not_inside_a_character(tokens, start, end)


def _not_inside_a_character(tokens: list[_Token], start: int, cut: int) -> int:
    """Move a hard cut back so it does not part a character from a mark, joiner or skin tone
    that belongs to it (a few steps at most)."""
    for _ in range(8):
        if cut - 1 <= start or not (_joins_next(tokens[cut - 1]) or _joins_previous(tokens[cut])):
            break
        cut -= 1
    return cut


def _joins_next(token: _Token) -> bool:
    """A zero-width joiner binds the characters either side of it."""
    return token.raw == _ZWJ


def _joins_previous(token: _Token) -> bool:
    """Combining marks, joiners, variation selectors and skin tones belong to what precedes."""
    if token.kind != _TEXT or len(token.raw) != 1:
        return False
    code = ord(token.raw)
    return (
        token.raw == _ZWJ
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or unicodedata.combining(token.raw) != 0
    )


def _render(
    tokens: list[_Token], start: int, end: int, opened: list[_Token]
) -> tuple[str | None, list[_Token]]:
    """The part ``tokens[start:end]`` as HTML that stands alone (tags open at its start opened
    again, tags open at its end closed), and the tags open after it. None for a part with
    nothing to read."""
    stack = list(opened)
    body = tokens[start:end]
    for token in body:
        if token.kind == _OPEN:
            stack.append(token)
        elif token.kind == _CLOSE:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].name == token.name:
                    del stack[depth]
                    break
    first, last = 0, len(body)
    while first < last and body[first].blank:
        first += 1
    while last > first and body[last - 1].blank:
        last -= 1
    body = body[first:last]
    if not any(token.kind == _TEXT and not token.blank for token in body):
        return None, stack
    html = (
        "".join(token.raw for token in opened)
        + "".join(token.raw for token in body)
        + "".join(f"</{token.name}>" for token in reversed(stack))
    )
    return html, stack
