"""config/journey_skills.yaml: the shipped file loads, and a broken file is refused with the
file and the line, at start-up like every other data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import build_application, load_data_files
from bot.services.journey.skills import load_skills
from config.errors import ConfigError
from config.settings import CONFIG_DIR
from tests.conftest import make_settings


def test_the_shipped_list_has_the_six_skills_in_plain_words() -> None:
    skills = load_skills(CONFIG_DIR / "journey_skills.yaml")

    assert [(s.key, s.name) for s in skills.skills] == [
        ("speaking", "Speaking"),
        ("chairing", "Chairing"),
        ("research", "Research"),
        ("training_others", "Training others"),
        ("writing", "Writing"),
        ("mentoring", "Mentoring"),
    ]


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("skills:\n  speaking: Speaking\n  Bad Key: Chairing\n", 3, "lower-case"),
        ('skills:\n  speaking: Speaking\n  chairing: ""\n', 3, "needs a name"),
        ("skills:\n  speaking: Speaking\n  talking: speaking\n", 3, "used twice"),
        ("skills:\n  speaking: " + "x" * 41 + "\n", 2, "at most 40"),
        ("skills:\n  speaking: [a, b]\n", 2, "needs a name"),
        ("skills: []\n", 1, "'skills:' needs lines"),
        ("skill:\n  speaking: Speaking\n", 1, "one part"),
        ("skills:\n  speaking: Speaking\n  speaking: Again\n", 3, "written twice"),
        ("skills:\n  speaking: Speaking\n\tchairing: Chairing\n", 3, "tab"),
    ],
)
def test_a_broken_file_is_refused_with_its_line(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    path = tmp_path / "journey_skills.yaml"
    path.write_text(body, encoding="utf-8")

    with pytest.raises(ConfigError) as refused:
        load_skills(path)

    assert str(path) in str(refused.value)
    assert f"line {line}" in str(refused.value)
    assert words in str(refused.value)


def test_too_many_skills_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "journey_skills.yaml"
    path.write_text("skills:\n" + "".join(f"  s{n}: Skill {n}\n" for n in range(21)))

    with pytest.raises(ConfigError, match="at most 20"):
        load_skills(path)


async def test_the_bot_does_not_start_with_a_broken_skills_file(tmp_path: Path) -> None:
    path = tmp_path / "journey_skills.yaml"
    path.write_text("skills:\n  Speaking: Speaking\n", encoding="utf-8")
    settings = make_settings(tmp_path, journey_skills_file=path)

    with pytest.raises(ConfigError, match=r"journey_skills\.yaml"):
        load_data_files(settings)
    with pytest.raises(ConfigError, match="line 2"):
        await build_application(settings)
    assert not (tmp_path / "forum.db").exists()  # stopped before the database was opened
