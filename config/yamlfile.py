"""The one reader of editable YAML data files: safe YAML, UTF-8 only, no tabs, no key written twice,
and every mistake a ConfigError naming the file, the line and a plain fix. Mappings and lists
it returns remember the line each entry starts on (``line_of``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError


class YamlMap(dict):
    """A mapping read from a file, remembering the line each key is on."""

    line: int = 0
    key_lines: dict[Any, int]


class YamlList(list):
    """A list read from a file, remembering the line each item is on."""

    line: int = 0
    item_lines: list[int]


def line_of(container: object, key: object = None) -> int | None:
    """The line a mapping's key or a list's item (by index) is on; the container's own line
    when key is None; None for data that did not come from a file."""
    if isinstance(container, YamlMap):
        return container.line if key is None else container.key_lines.get(key)
    if isinstance(container, YamlList):
        if key is None:
            return container.line
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
    return None


class _DuplicateKeyError(yaml.YAMLError):
    """A key written twice in one entry; YAML would silently keep only the last."""

    def __init__(self, key: str, line: int) -> None:
        """Remember the repeated key and the line of its second appearance."""
        super().__init__(key)
        self.key = key
        self.line = line


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that refuses repeated keys and leaves dates as text for the file's own check."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[YamlMap]:
    """Build a mapping that remembers its lines, first refusing any key written twice."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in seen:
                raise _DuplicateKeyError(key_node.value, key_node.start_mark.line + 1)
            seen.add(key_node.value)
    mapping = YamlMap()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a name before a colon must be plain words", key_node.start_mark
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> Iterator[YamlList]:
    """Build a list that remembers the line of each item."""
    items = YamlList()
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield items
    items.extend(loader.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def read_yaml(path: Path) -> object:
    """The file's parsed YAML; a missing, unreadable, non-UTF-8, tabbed, malformed file, or a key
    written twice, raises ConfigError with the line and what to do."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            source, "cannot read the file: it is missing. Check the path, or put it back."
        ) from None
    except OSError as exc:
        raise ConfigError(source, f"the file cannot be read ({exc.strerror}).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            source,
            f"line {line} has characters that are not UTF-8 text. Save the file as UTF-8.",
            entry=f"line {line}",
        ) from None
    if "\t" in text:
        line = text[: text.index("\t")].count("\n") + 1
        raise ConfigError(
            source,
            f"line {line} has a tab. Use spaces to indent, never tabs.",
            entry=f"line {line}",
        )
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects
    except _DuplicateKeyError as exc:
        raise ConfigError(
            source,
            f"'{exc.key}' is written twice in the same entry (line {exc.line}). "
            "Keep one and delete the other.",
            entry=f"line {exc.line}",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = exc.problem or exc.context or "the layout is wrong"
        raise ConfigError(
            source,
            f"the file is not valid YAML near line {line}: {what}. Check the indentation and "
            "put text that contains a colon (:) in double quotes.",
            entry=f"line {line}",
        ) from None
    except RecursionError:
        raise ConfigError(source, "the file is nested far too deeply to be read.") from None
    except Exception as exc:  # any other YAML failure must still be a plain ConfigError
        raise ConfigError(source, f"the file cannot be read as YAML ({exc}).") from None
