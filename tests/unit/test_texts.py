"""The text catalogue loader: dotted keys, mistakes refused, values escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.texts import Markup, Texts, load_texts
from config.errors import ConfigError


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    for name, content in files.items():
        (folder / f"{name}.yaml").write_text(content, encoding="utf-8")
    return folder


def test_files_load_and_nested_keys_become_dotted(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        a="start:\n  welcome: Hello.\n  deeper:\n    still: Deep text.\n",
        b="buttons:\n  ok: OK\n",
    )

    texts = load_texts(folder)

    assert sorted(texts.keys()) == ["buttons.ok", "start.deeper.still", "start.welcome"]
    assert texts.get("start.deeper.still") == "Deep text."
    assert texts.get("buttons.ok") == "OK"


def test_block_text_is_trimmed(tmp_path: Path) -> None:
    texts = load_texts(_folder(tmp_path, a="a:\n  b: |\n    Line one.\n    Line two.\n\n"))

    assert texts.get("a.b") == "Line one.\nLine two."


def test_a_key_in_two_files_names_the_key_and_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a="menu:\n  hi: Hello.\n", b="menu:\n  hi: Hi again.\n")

    with pytest.raises(ConfigError) as caught:
        load_texts(folder)

    assert caught.value.entry == "menu.hi"
    assert caught.value.source == str(folder / "b.yaml")
    assert "already used" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["Hello {0}.", "Hello {}.", "Hello {name!r}.", "Hello {name:>10}.", "Hello {user.name}."],
)
def test_a_bad_placeholder_names_the_key(tmp_path: Path, text: str) -> None:
    folder = _folder(tmp_path, a=f'menu:\n  hi: "{text}"\n')

    with pytest.raises(ConfigError) as caught:
        load_texts(folder)

    assert caught.value.entry == "menu.hi"
    assert "plain name like {name}" in str(caught.value)


@pytest.mark.parametrize("text", ["Hello {name.", "Hello name}.", "Hello {{name}."])
def test_unmatched_braces_name_the_key(tmp_path: Path, text: str) -> None:
    folder = _folder(tmp_path, a=f'menu:\n  hi: "{text}"\n')

    with pytest.raises(ConfigError) as caught:
        load_texts(folder)

    assert caught.value.entry == "menu.hi"
    assert "braces" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("menu:\n  hi: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "key: text"),
        ("menu:\n  hi: ''\n", "needs some text"),
        ("menu:\n  hi: 42\n", "needs some text"),
        ("Menu:\n  hi: Hello.\n", "lower-case"),
        ("menu:\n  say hi: Hello.\n", "lower-case"),
    ],
)
def test_file_mistakes_are_refused(tmp_path: Path, content: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_texts(_folder(tmp_path, a=content))


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()

    with pytest.raises(ConfigError, match=r"no \.yaml files"):
        load_texts(tmp_path / "texts")


def test_values_are_html_escaped() -> None:
    texts = Texts({"hi": "Hello <b>{name}</b>, {name}."})

    result = texts.get("hi", name="<b>Al & Bo</b>")

    assert result == (
        "Hello <b>&lt;b&gt;Al &amp; Bo&lt;/b&gt;</b>, &lt;b&gt;Al &amp; Bo&lt;/b&gt;."
    )


def test_non_text_values_are_shown_and_escaped() -> None:
    texts = Texts({"count": "{n} people in {place}"})

    assert texts.get("count", n=12, place=["<x>"]) == "12 people in [&#x27;&lt;x&gt;&#x27;]"


def test_markup_is_not_escaped() -> None:
    texts = Texts({"outer": "Before. {inner}"})

    result = texts.get("outer", inner=Markup("<b>bold</b> &amp; safe"))

    assert result == "Before. <b>bold</b> &amp; safe"


def test_placeholders_in_values_are_not_filled_again() -> None:
    texts = Texts({"hi": "Hello {name}, from {place}."})

    assert texts.get("hi", name="{place}", place="Leeds") == "Hello {place}, from Leeds."


def test_a_missing_value_is_a_key_error_naming_the_text() -> None:
    texts = Texts({"hi": "Hello {name} from {place}."})

    with pytest.raises(KeyError, match=r"hi.*\['place'\]"):
        texts.get("hi", name="Sam")


def test_an_unknown_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        Texts({"hi": "Hello."}).get("bye")


def test_extra_values_are_ignored() -> None:
    assert Texts({"hi": "Hello."}).get("hi", name="Sam") == "Hello."


def test_doubled_braces_show_as_one_brace_with_or_without_placeholders() -> None:
    texts = Texts({"plain": "Use {{ and }}.", "filled": "Use {{ and }}, {name}."})

    assert texts.get("plain") == "Use { and }."
    assert texts.get("filled", name="Sam") == "Use { and }, Sam."
    assert texts.plain("plain") == "Use { and }."


def test_show_keys_appends_the_key() -> None:
    texts = Texts({"menu.hi": "Hello {name}."}, show_keys=True)

    assert texts.get("menu.hi", name="Sam") == "Hello Sam.\n\n<code>[menu.hi]</code>"


def test_plain_is_not_escaped_and_has_no_key_marker() -> None:
    texts = Texts({"button": "List: {hub}"}, show_keys=True)

    assert texts.plain("button", hub="Tom & Jerry's") == "List: Tom & Jerry's"


def test_fields_and_raw() -> None:
    texts = Texts({"hi": "Hello {name}, {name} from {place}."})

    assert texts.fields("hi") == {"name", "place"}
    assert texts.raw("hi") == "Hello {name}, {name} from {place}."
