"""The text catalogue: every sentence a person reads, by key, rendered as safe Telegram HTML.

A placeholder is a plain name, ``{count}``, or a word that fits a number, ``{count:person|people}``:
the first form when the value is 1, the second for any other value (0, 2, "1,200", "fewer than
5"). The word form shows only the word, so a catalogue writes ``{count} {count:person|people}``.
"""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

from config.errors import ConfigError
from config.yamlfile import read_yaml

_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_FORMATTER = string.Formatter()
_PLURAL_BAR = "|"
_LABELS_KEPT = 1000  # plain renderings remembered for the sandbox's button keys (show_keys only)


class Texts:
    """Looks up catalogue entries and fills in values, escaping anything that came from people."""

    def __init__(self, entries: dict[str, str], source: str = "texts", show_keys: bool = False):
        self._entries = entries
        self._fields = {key: _fields_of(source, key, text) for key, text in entries.items()}
        # Entries with a word that fits a number are filled in by _PLURALS (slower than
        # str.format, so only where needed: a press redraw renders texts in a rush).
        self._plural = {key for key, text in entries.items() if _has_plural(text)}
        self.show_keys = show_keys
        self._label_keys: dict[str, list[str]] = {}

    def keys(self) -> list[str]:
        """Every key in the catalogue."""
        return list(self._entries)

    def fields(self, key: str) -> set[str]:
        """The placeholders an entry expects."""
        return self._fields[key]

    def raw(self, key: str) -> str:
        """The entry exactly as written in the catalogue."""
        return self._entries[key]

    def get(self, key: str, /, **values: object) -> str:
        """The entry with values filled in; values are HTML-escaped unless wrapped in Markup."""
        template = self._entries[key]
        expected = self._fields[key]
        missing = expected - values.keys()
        if missing:
            raise KeyError(f"text {key!r} needs values for {sorted(missing)}")
        safe = {name: _escaped(value) for name, value in values.items() if name in expected}
        text = self._fill(key, template, safe)
        if self.show_keys:
            # At the start of its own text, on the same line: in a message built from several
            # entries each key then sits right before the words it names.
            text = f"<code>[{key}]</code> {text}"
        return text

    def plain(self, key: str, /, **values: object) -> str:
        """The entry for places without HTML (button labels, file names); values not escaped.

        It never carries its key (a label or a file name must stay as written); with
        show_keys on, the key is remembered for ``keys_of_label`` instead.
        """
        template = self._entries[key]
        expected = self._fields[key]
        text = self._fill(key, template, {k: v for k, v in values.items() if k in expected})
        if self.show_keys:
            self._remember_label(text, key)
        return text

    def _fill(self, key: str, template: str, values: dict[str, object]) -> str:
        """The template with values in, and each plural word chosen by its value."""
        if key in self._plural:
            return _PLURALS.vformat(template, (), values)
        return template.format(**values)

    def keys_of_label(self, label: str) -> list[str]:
        """The keys a plain text (a button label) was rendered from while show_keys was on."""
        return list(self._label_keys.get(label, ()))

    def _remember_label(self, text: str, key: str) -> None:
        """Note which key gave this plain text, keeping only the latest few hundred texts."""
        keys = self._label_keys.pop(text, [])
        if key not in keys:
            keys.append(key)
        self._label_keys[text] = keys
        if len(self._label_keys) > _LABELS_KEPT:
            del self._label_keys[next(iter(self._label_keys))]


class Markup(str):
    """A value that is already safe HTML (built from catalogue entries), so it is not escaped."""


def is_one(value: object) -> bool:
    """True when a number reads as exactly one: 1, "1" or " 1 " (so "1 person", not "1 people");
    anything else, like 0, 2, "1,200" or "fewer than 5", takes the other form."""
    if isinstance(value, bool):
        return False
    return str(value).strip() == "1"


class _PluralFormatter(string.Formatter):
    """str.format, except that ``{count:person|people}`` picks a word by the value."""

    def format_field(self, value: object, format_spec: str) -> str:
        if not format_spec:
            return format(value, "")
        one, other = format_spec.split(_PLURAL_BAR)
        return one if is_one(value) else other


_PLURALS = _PluralFormatter()


def _has_plural(text: str) -> bool:
    """True when an entry (already checked) has a ``{name:one|other}`` placeholder."""
    return any(spec for _, field, spec, _ in _FORMATTER.parse(text) if field is not None)


def _escaped(value: object) -> str:
    """HTML-escape a value unless it is Markup."""
    if isinstance(value, Markup):
        return str(value)
    return html.escape(str(value), quote=True)


def _fields_of(source: str, key: str, text: str) -> set[str]:
    """The named placeholders in an entry; positional or odd ones are refused. A plural,
    ``{count:person|people}``, names its field and has exactly two forms split by one bar."""
    names = set()
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise ConfigError(
            source, f"braces do not match: {exc}. Use {{{{ and }}}} for a brace.", key
        ) from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or conversion:
            raise ConfigError(
                source, f"placeholder {{{field}}} must be a plain name like {{name}}", key
            )
        if spec and (spec.count(_PLURAL_BAR) != 1 or "{" in spec or "}" in spec):
            raise ConfigError(
                source,
                f"placeholder {{{field}:{spec}}} must be a plain name like {{name}}, or a word "
                f"for 1 and a word for other numbers, like {{{field}:person|people}}",
                key,
            )
        names.add(field)
    return names


def load_texts(folder: Path, show_keys: bool = False) -> Texts:
    """Read every *.yaml file in the catalogue folder; any mistake raises ConfigError."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ConfigError(str(folder), "the text catalogue folder has no .yaml files")
    entries: dict[str, str] = {}
    for path in files:
        _load_file(path, entries)
    return Texts(entries, str(folder), show_keys)


def _load_file(path: Path, entries: dict[str, str]) -> None:
    """Add one catalogue file's entries; a key defined twice is a mistake."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(source, "the file must be a list of key: text lines")
    found: dict[str, str] = {}
    _flatten(source, "", raw, found)
    for key in found:
        if key in entries:
            raise ConfigError(source, "this key is already used in another catalogue file", key)
        _fields_of(source, key, found[key])
    entries.update(found)


def _flatten(source: str, prefix: str, node: dict, out: dict[str, str]) -> None:
    """Turn nested sections into dotted keys."""
    for name, value in node.items():
        key = f"{prefix}{name}"
        if not isinstance(name, str) or not _KEY.match(key):
            raise ConfigError(source, "keys use lower-case letters, digits and _", str(key))
        if isinstance(value, dict):
            _flatten(source, key + ".", value, out)
        elif isinstance(value, str) and value.strip():
            out[key] = value.strip()
        else:
            raise ConfigError(source, "each entry needs some text", key)
