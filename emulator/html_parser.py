"""Telegram-flavoured HTML to plain text plus entities with UTF-16 offsets (after tdlib)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .entities import utf16_len

__all__ = ["HtmlParseError", "parse_html"]

_SPECIAL = re.compile(r"[<&]")
_SPACE = frozenset(" \t\r\n\v\f\0")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})
_USER_LINK = re.compile(r"tg://user\?id=(\d{1,19})", re.IGNORECASE)
_INT64_MAX = 2**63 - 1

UserLookup = Callable[[int], "dict[str, Any] | None"]


class HtmlParseError(ValueError):
    """Raised for text Telegram would refuse; ``description`` is the full Bot API description."""

    def __init__(self, message: str, *, description: str | None = None) -> None:
        """Wrap tdlib's ``message`` into Telegram's "can't parse entities" description."""
        super().__init__(message)
        self.message = message
        self.description = description or f"Bad Request: can't parse entities: {message}"


@dataclass(slots=True)
class _Open:
    """A start tag waiting for its end tag."""

    tag: str
    argument: str
    offset: int
    out_index: int


def _lower(text: str) -> str:
    """Lower-case ASCII letters only, as tdlib's ``to_lower`` does."""
    return text.translate(_ASCII_LOWER)


def _byte_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of character ``index``, as tdlib reports positions."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``; return (char, next index)."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in _HEX:
                value = value * 16 + int(text[end], 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while end < n and text[end] in _DIGITS:
                value = value * 10 + ord(text[end]) - 48
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end] in _ALPHA:
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _check_link(url: str) -> str | None:
    """Return a usable URL for an ``<a href>`` or None when Telegram would drop the link."""
    url = url.strip()
    if not url or any(c in _SPACE for c in url):
        return None
    if "://" not in url and not url.lower().startswith("tg:"):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _LINK_SCHEMES:
        return None
    if scheme in ("http", "https") and not host:
        return None
    return url


def parse_html(
    source: str,
    *,
    strict_ampersand: bool = True,
    user_lookup: UserLookup | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise :class:`HtmlParseError` if invalid.

    Follows tdlib's ``parse_html``. One deliberate difference: with ``strict_ampersand`` a "&"
    in text that does not start a supported entity is an error (the Bot API documentation's
    rule), where the real server quietly keeps it.
    """
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        raise HtmlParseError(
            "invalid UTF-8", description="Bad Request: strings must be encoded in UTF-8"
        ) from None
    if "<" not in source and "&" not in source:
        return source, []
    return _Parser(source, strict_ampersand, user_lookup).run()


def _tidy(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop code entities inside pre blocks, clear stray languages and sort like Telegram."""
    pres = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] == "pre"]
    kept = []
    for entity in entities:
        if entity["type"] == "code":
            start, end = entity["offset"], entity["offset"] + entity["length"]
            if any(p_start <= start and end <= p_end for p_start, p_end in pres):
                continue
            entity.pop("language", None)
        kept.append(entity)
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return kept


class _Parser:
    """One run of the parser over one string."""

    def __init__(self, text: str, strict: bool, user_lookup: UserLookup | None) -> None:
        """Prepare to parse ``text``."""
        self.text = text
        self.n = len(text)
        self.strict = strict
        self.user_lookup = user_lookup
        self.out: list[str] = []
        self.u16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> str:
        """Return the character at ``i`` or NUL past the end (tdlib reads a C string)."""
        return self.text[i] if i < self.n else "\0"

    def fail(self, message: str) -> HtmlParseError:
        """Build a parse error."""
        return HtmlParseError(message)

    def emit(self, chunk: str) -> None:
        """Append plain text to the output."""
        self.out.append(chunk)
        self.u16 += utf16_len(chunk)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        """Parse the whole text."""
        text = self.text
        i = 0
        while i < self.n:
            match = _SPECIAL.search(text, i)
            if match is None:
                self.emit(text[i:])
                break
            j = match.start()
            if j > i:
                self.emit(text[i:j])
            if text[j] == "&":
                decoded = _decode_entity(text, j)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict:
                    raise self.fail(
                        f'Character "&" at byte offset {_byte_offset(text, j)} does not start '
                        'an HTML entity; escape it as "&amp;"'
                    )
                self.emit("&")
                i = j + 1
                continue
            i = self.end_tag(j) if self.at(j + 1) == "/" else self.start_tag(j)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        return "".join(self.out), _tidy(self.entities)

    def start_tag(self, begin: int) -> int:
        """Parse a start tag beginning at ``begin``; return the index after its '>'."""
        text = self.text
        i = begin + 1
        while self.at(i) not in _SPACE and self.at(i) != ">":
            i += 1
        if i >= self.n or self.at(i) == "\0":
            raise self.fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = _lower(text[begin + 1 : i])
        if tag not in _TAGS:
            raise self.fail(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        argument = ""
        while self.at(i) != ">":
            while self.at(i) != "\0" and self.at(i) in _SPACE:
                i += 1
            if self.at(i) == ">":
                break
            name_begin = i
            while self.at(i) not in _SPACE and self.at(i) not in "=>":
                i += 1
            name = _lower(text[name_begin:i])
            if not name:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            while self.at(i) != "\0" and self.at(i) in _SPACE:
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            i += 1
            while self.at(i) != "\0" and self.at(i) in _SPACE:
                i += 1
            if self.at(i) == "\0":
                raise self.fail(
                    f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            value, i = self.attribute_value(i)
            argument = self.tag_argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        self.stack.append(_Open(tag, argument, self.u16, len(self.out)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        """Read a quoted or bare attribute value starting at ``i``."""
        text = self.text
        quote = self.at(i)
        if quote not in ("'", '"'):
            token_begin = i
            while self.at(i) in _ALNUM or self.at(i) in ".-":
                i += 1
            if self.at(i) not in _SPACE and self.at(i) != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                )
            if i >= self.n:
                raise self.fail(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
            return _lower(text[token_begin:i]), i
        i += 1
        value_begin = i
        chars: list[str] = []
        while i < self.n and text[i] != quote:
            if text[i] == "&":
                decoded = _decode_entity(text, i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(text[i])
            i += 1
        if i < self.n:
            i += 1
        if i >= self.n:
            raise self.fail(f"Unclosed start tag at byte offset {_byte_offset(text, value_begin)}")
        return "".join(chars), i

    @staticmethod
    def tag_argument(tag: str, name: str, value: str, current: str) -> str:
        """Return the tag's argument after attribute ``name``=``value`` (others are ignored)."""
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value[9:]
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value[3:]
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        if tag == "blockquote" and name == "expandable":
            return "1"
        return current

    def end_tag(self, begin: int) -> int:
        """Parse an end tag beginning at ``begin``; return the index after its '>'."""
        text = self.text
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        i = begin + 2
        while self.at(i) not in _SPACE and self.at(i) != ">":
            i += 1
        end_name = _lower(text[begin + 2 : i])
        while self.at(i) != "\0" and self.at(i) in _SPACE:
            i += 1
        if self.at(i) != ">" or i >= self.n:
            raise self.fail(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        opened = self.stack[-1]
        if end_name and end_name != opened.tag:
            raise self.fail(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "
                f'"</{opened.tag}>", found "</{end_name}>"'
            )
        self.stack.pop()
        if self.u16 > opened.offset:
            self.close_entity(opened, self.u16 - opened.offset)
        return i + 1

    def close_entity(self, opened: _Open, length: int) -> None:
        """Turn a closed, non-empty tag into an entity."""
        tag, offset, argument = opened.tag, opened.offset, opened.argument
        entities = self.entities
        simple = _SIMPLE.get(tag)
        if simple is not None:
            entities.append({"type": simple, "offset": offset, "length": length})
        elif tag == "tg-emoji":
            if not argument.isdigit() or not 0 < int(argument) <= _INT64_MAX:
                raise self.fail("Invalid custom emoji identifier specified")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": str(int(argument)),
                }
            )
        elif tag == "a":
            self.close_link(argument or "".join(self.out[opened.out_index :]), offset, length)
        elif tag == "pre":
            last = _same_span(entities, "code", offset, length)
            if last is not None and last.get("language"):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": offset, "length": length})
        elif tag == "code":
            last = _same_span(entities, "pre", offset, length)
            if last is not None and argument:
                last["language"] = argument
            else:
                entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
                if argument:
                    entity["language"] = argument
                entities.append(entity)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument else "blockquote"
            entities.append({"type": kind, "offset": offset, "length": length})

    def close_link(self, url: str, offset: int, length: int) -> None:
        """Add a text_mention or text_link entity, or nothing for a link Telegram drops."""
        mention = _USER_LINK.fullmatch(url.strip())
        if mention is not None:
            user = self.user_lookup(int(mention.group(1))) if self.user_lookup else None
            if user is not None:
                self.entities.append(
                    {"type": "text_mention", "offset": offset, "length": length, "user": user}
                )
            return
        checked = _check_link(url)
        if checked is not None:
            self.entities.append(
                {"type": "text_link", "offset": offset, "length": length, "url": checked}
            )


def _same_span(
    entities: list[dict[str, Any]], kind: str, offset: int, length: int
) -> dict[str, Any] | None:
    """The last entity when it is a ``kind`` over exactly this span (a pre and its code)."""
    last = entities[-1] if entities else None
    if last is None or last["type"] != kind:
        return None
    return last if last["offset"] == offset and last["length"] == length else None
