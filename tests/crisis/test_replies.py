"""Crisis and concern replies by kind: what fits comes first, every crisis reply keeps 999 and
Samaritans, and every number they give is in the support directory with its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.crisis import (
    CONCERN,
    CRISIS,
    CRISIS_KINDS,
    DEFAULT_PHRASES_PATH,
    DEFAULT_RULES_PATH,
    DISTRESS,
    Verdict,
    load_crisis_matcher,
)
from bot.directory import load_directory
from bot.forum import load_forum
from bot.texts import Texts, load_texts
from config.settings import CONFIG_DIR
from handlers.crisis_messages import MAX_KIND_BLOCKS, concern_text, crisis_text

# A telephone or text number as people write them here: three or more digits, maybe in groups.
_NUMBER = re.compile(r"(?<![\d])\d{3,}(?: \d{2,})*(?![\d])")


@pytest.fixture(scope="module")
def texts() -> Texts:
    """The shipped catalogue."""
    return load_texts(CONFIG_DIR / "texts")


def numbers_in(text: str) -> set[str]:
    """Every phone or text number in a text."""
    return set(_NUMBER.findall(text))


@pytest.mark.parametrize("kind", CRISIS_KINDS)
def test_every_kind_of_crisis_reply_keeps_999_and_samaritans(texts: Texts, kind: str) -> None:
    """Whatever the kind, the reply has 999 and Samaritans' 116 123."""
    reply = crisis_text(texts, Verdict(CRISIS, (kind,)))
    assert "999" in reply
    assert "116 123" in reply


def test_the_general_reply_keeps_999_and_samaritans(texts: Texts) -> None:
    """The 'Help now' reply (no kind) says to call 999 and gives Samaritans."""
    reply = crisis_text(texts)
    assert "999" in reply
    assert "116 123" in reply


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        ("overdose", "taken too much"),
        ("danger_now", "in danger now"),
        ("child", "Childline"),
        ("sexual_violence", "not your fault"),
        ("domestic_abuse", "0808 2000 247"),
        ("harm_to_others", "NHS 111"),
        ("self_harm", "bleeding"),
    ],
)
def test_what_fits_the_kind_comes_first(texts: Texts, kind: str, first: str) -> None:
    """The kind's own first step opens the reply, before the lines every reply has."""
    reply = crisis_text(texts, Verdict(CRISIS, (kind,)))
    assert first in reply
    assert reply.index(first) < reply.index("Samaritans")


def test_the_most_urgent_kinds_come_first_and_at_most_two(texts: Texts) -> None:
    """An overdose and domestic abuse together: overdose first, then the helpline; a third
    kind's block is left out so the reply stays short."""
    reply = crisis_text(texts, Verdict(CRISIS, ("overdose", "domestic_abuse", "self_harm")))
    assert reply.index("taken too much") < reply.index("0808 2000 247")
    assert MAX_KIND_BLOCKS == 2
    assert "bleeding will not stop" not in reply


def test_suicide_uses_the_general_opening(texts: Texts) -> None:
    """Suicide and unsafe have no special first step: the general opening says to call 999."""
    for kind in ("suicide", "unsafe"):
        reply = crisis_text(texts, Verdict(CRISIS, (kind,)))
        assert reply.startswith(texts.get("crisis.open"))


def test_the_gentle_reply_says_it_is_a_bot_and_gives_samaritans(texts: Texts) -> None:
    """The concern reply: the bot cannot chat, Samaritans can, and where to go next."""
    reply = concern_text(texts)
    assert "116 123" in reply
    assert "bot" in reply
    assert "Help now" in reply
    assert Verdict(CONCERN, (DISTRESS,)).is_crisis is False


def test_every_number_a_crisis_reply_gives_is_in_the_support_directory(texts: Texts) -> None:
    """Each number in the crisis and concern texts is a phone or text number of a directory
    entry that names its source, so changing a number means changing the directory too."""
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    directory = load_directory(CONFIG_DIR / "support_directory.yaml", forum.region_ids())
    listed: dict[str, str] = {}
    for need in directory.needs():
        for service in directory.services_for(need.id, None):
            for field in (service.phone, service.text):
                for number in numbers_in(field or ""):
                    listed[number] = service.source
    used = set()
    catalogue_keys = texts.keys()
    for key in catalogue_keys:
        if key.startswith(("crisis.", "concern.")):
            used |= numbers_in(texts.raw(key))
    assert used, "the crisis texts give no numbers at all"
    missing = sorted(number for number in used if number not in listed)
    assert not missing, f"numbers in crisis replies that are not in the directory: {missing}"
    assert all(listed[number].startswith("https://") for number in used)


def test_the_catalogue_has_a_first_step_only_for_known_kinds(tmp_path: Path) -> None:
    """A kind with no block of its own falls back to the general opening (never an error)."""
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "crisis.yaml").write_text(
        "crisis:\n  open: Call 999.\n  lines: Samaritans 116 123.\n"
        "  kind:\n    overdose: Overdose first.\n",
        encoding="utf-8",
    )
    small = load_texts(folder)
    assert crisis_text(small, Verdict(CRISIS, ("child",))) == "Call 999.\n\nSamaritans 116 123."
    assert crisis_text(small, Verdict(CRISIS, ("child", "overdose"))).startswith("Overdose first.")


@pytest.mark.parametrize(
    "text",
    [
        "my toddler ate my methadone after dinner",
        "kid drank the methadone",
        "little one swallowed a load of my tablets",
    ],
)
def test_a_child_who_took_a_drug_gets_the_overdose_reply_first(texts: Texts, text: str) -> None:
    """A parent whose child swallowed a drug needs 999 and what was taken first, not
    Childline's line for people under 19."""
    verdict = load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH).check(text)
    assert verdict is not None and verdict.kind == "overdose", verdict
    reply = crisis_text(texts, verdict)
    assert reply.index("taken too much") < reply.index("Samaritans")
