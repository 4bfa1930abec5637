"""The text catalogue loader: dotted keys, mistakes refused, values escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.texts import Markup, Texts, load_texts
from config.errors import ConfigError
from config.settings import CONFIG_DIR
from emulator.html_parser import HtmlParseError, parse_html


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


def test_show_keys_puts_the_key_at_the_start_of_its_text_on_the_same_line() -> None:
    texts = Texts({"menu.hi": "Hello {name}.\n\nPick one below."}, show_keys=True)

    shown = texts.get("menu.hi", name="Sam")

    assert shown == "<code>[menu.hi]</code> Hello Sam.\n\nPick one below."
    assert parse_html(shown)[0].splitlines()[0] == "[menu.hi] Hello Sam."


def test_in_a_message_built_from_several_entries_each_key_labels_its_own_line() -> None:
    """The tester's case: /support's lines, where `support.entry_helps` labelled "Web:"."""
    texts = Texts(
        {
            "support.entry_name": "<b>{name}</b>",
            "support.entry_helps": "{helps}",
            "support.entry_web": "Web: {web}",
            "support.entry_covers": "<i>Covers {covers}.</i>",
        },
        show_keys=True,
    )
    message = "\n".join(
        [
            texts.get("support.entry_name", name="Samaritans"),
            texts.get("support.entry_helps", helps="Someone to talk to <any time>."),
            texts.get("support.entry_web", web="https://www.samaritans.org"),
            texts.get("support.entry_covers", covers="UK"),
        ]
    )

    seen, _ = parse_html(message)  # still Telegram HTML that parses
    assert seen.splitlines() == [
        "[support.entry_name] Samaritans",
        "[support.entry_helps] Someone to talk to <any time>.",
        "[support.entry_web] Web: https://www.samaritans.org",
        "[support.entry_covers] Covers UK.",
    ]


def test_a_text_filled_into_another_text_keeps_its_key_before_it() -> None:
    texts = Texts(
        {"polls.line": "Yes: 3{percent}", "polls.percent": "({percent}%)"}, show_keys=True
    )

    line = texts.get("polls.line", percent=Markup(" " + texts.get("polls.percent", percent=40)))

    assert parse_html(line)[0] == "[polls.line] Yes: 3 [polls.percent] (40%)"


def test_no_key_is_shown_when_show_keys_is_off() -> None:
    texts = Texts({"menu.hi": "Hello {name}."})

    assert texts.get("menu.hi", name="Sam") == "Hello Sam."
    texts.plain("menu.hi", name="Sam")
    assert texts.keys_of_label("Hello Sam.") == []


def test_every_shipped_text_with_its_key_is_still_telegram_html_and_starts_with_the_key() -> None:
    texts = load_texts(CONFIG_DIR / "texts", show_keys=True)
    for key in sorted(texts.keys()):
        shown = texts.get(key, **dict.fromkeys(texts.fields(key), "7"))
        try:
            seen, _ = parse_html(shown)
        except HtmlParseError as exc:
            pytest.fail(f"{key} with its key shown is not Telegram HTML: {exc}")
        assert seen.startswith(f"[{key}] "), key
        assert seen.count(f"[{key}]") == 1, key


def test_plain_is_not_escaped_and_has_no_key_marker() -> None:
    texts = Texts({"button": "List: {hub}"}, show_keys=True)

    assert texts.plain("button", hub="Tom & Jerry's") == "List: Tom & Jerry's"


def test_with_keys_shown_a_label_remembers_the_keys_it_came_from() -> None:
    texts = Texts(
        {"buttons.menu": "Menu", "buttons.home": "Menu", "buttons.ok": "OK"}, show_keys=True
    )

    assert texts.plain("buttons.menu") == "Menu"  # a label never carries its key
    texts.plain("buttons.home")
    texts.plain("buttons.menu")

    assert texts.keys_of_label("Menu") == ["buttons.menu", "buttons.home"]
    assert texts.keys_of_label("OK") == []  # never shown, so never remembered


def test_fields_and_raw() -> None:
    texts = Texts({"hi": "Hello {name}, {name} from {place}."})

    assert texts.fields("hi") == {"name", "place"}
    assert texts.raw("hi") == "Hello {name}, {name} from {place}."


# Words that fit a number: {count:person|people}


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 people are coming."),
        (1, "1 person is coming."),
        (2, "2 people are coming."),
        ("1", "1 person is coming."),
        ("1,200", "1,200 people are coming."),
        ("fewer than 5", "fewer than 5 people are coming."),
    ],
)
def test_a_plural_picks_the_first_word_for_one_and_the_second_for_any_other_number(
    count: object, expected: str
) -> None:
    texts = Texts({"hub.coming": "{count} {count:person|people} {count:is|are} coming."})

    assert texts.get("hub.coming", count=count) == expected
    assert texts.plain("hub.coming", count=count) == expected


def test_a_plural_names_its_field_and_still_escapes_the_value() -> None:
    texts = Texts({"hub.line": "<b>{hub}</b>: {count} {count:member|members}"})

    assert texts.fields("hub.line") == {"hub", "count"}
    assert texts.get("hub.line", hub="A & B", count=1) == "<b>A &amp; B</b>: 1 member"
    with pytest.raises(KeyError, match="count"):
        texts.get("hub.line", hub="A & B")


def test_a_plural_word_can_be_empty_or_hold_spaces_and_marks() -> None:
    texts = Texts(
        {"a": "{n} new message{n:|s}. {n:It is|They are} here: {n:that's it|all of them}"}
    )

    assert texts.get("a", n=1) == "1 new message. It is here: that's it"
    assert texts.get("a", n=3) == "3 new messages. They are here: all of them"


def test_plurals_and_doubled_braces_and_show_keys_work_together() -> None:
    texts = Texts({"a.b": "{{x}} {n} {n:day|days}"}, show_keys=True)

    assert texts.get("a.b", n=1) == "<code>[a.b]</code> {x} 1 day"
    assert texts.plain("a.b", n=2) == "{x} 2 days"


@pytest.mark.parametrize(
    "text",
    [
        "{count:person}",  # one form only
        "{count:person|people|folk}",  # three forms
        "{count:person|{other}}",  # a placeholder inside
        "{count!r:person|people}",
        "{0:person|people}",
    ],
)
def test_a_plural_written_wrong_is_refused_with_an_example(tmp_path: Path, text: str) -> None:
    folder = _folder(tmp_path, a=f'menu:\n  hi: "{text}"\n')

    with pytest.raises(ConfigError) as caught:
        load_texts(folder)

    assert caught.value.entry == "menu.hi"
    assert "{name}" in str(caught.value)


def test_a_plural_in_a_file_loads(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a='menu:\n  hi: "{count} {count:person|people} joined."\n')

    texts = load_texts(folder)

    assert texts.get("menu.hi", count=1) == "1 person joined."
    assert texts.get("menu.hi", count=0) == "0 people joined."
