"""The progression stages file: the default loads; every mistake is refused with the file, the
line and a plain fix; a broken file stops start-up and `python -m bot check`."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import load_data_files
from bot.services.progression.stages import load_stages
from config.errors import ConfigError
from config.settings import CONFIG_DIR
from tests.conftest import make_settings

DEFAULT = CONFIG_DIR / "progression_stages.yaml"
GOOD = """\
stages:
  - key: joined
    name: Joined
    reached_by:
      joined: yes
  - key: took_part
    name: Took part
    reached_by:
      came_to_a_meeting: yes
      answered: yes
  - key: volunteering
    name: Volunteering
    reached_by:
      contributions: [other]
      opportunities:
        volunteering: [took_part, completed]
"""


def write(tmp_path: Path, text: str) -> Path:
    """The text as a stages file."""
    path = tmp_path / "stages.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_file_has_the_seven_stages_in_order() -> None:
    stages = load_stages(DEFAULT)
    assert [s.key for s in stages.stages] == [
        "joined",
        "took_part",
        "contributed",
        "volunteering",
        "training",
        "paid",
        "work",
    ]
    rank = stages.rank_of()
    assert rank[("meeting",)] == rank[("answered",)] == 1
    assert rank[("contribution", "meeting_role")] == 2
    assert rank[("outcome", "speaking", "took_part")] == 2
    assert rank[("outcome", "mentoring", "completed")] == 3
    assert rank[("outcome", "training", "completed")] == 4
    assert ("outcome", "training", "took_part") not in rank  # training counts once completed
    assert rank[("outcome", "job", "took_part")] == 6


def test_a_small_edited_file_loads(tmp_path: Path) -> None:
    stages = load_stages(write(tmp_path, GOOD))
    assert [s.name for s in stages.stages] == ["Joined", "Took part", "Volunteering"]


MISTAKES = [
    # (what is changed in GOOD, words the refusal must hold, the line it must name)
    (("stages:", "stage:"), "needs 'stages:'", None),
    (("  - key: took_part", "  - key: Took Part"), "lower case", "line 6"),
    (("  - key: volunteering", "  - key: took_part"), "used by two stages", "line 11"),
    (("    name: Took part\n", ""), "needs a name", "line 6"),
    (("      came_to_a_meeting: yes", "      came_to_meeting: yes"), "Did you mean", "line 9"),
    (("      answered: yes", "      answered: maybe"), "answered: yes", "line 10"),
    (("[took_part, completed]", "[took_part, finished]"), "'finished'", "line 16"),
    (("[took_part, completed]", "[took_part, did_not_go_ahead]"), "outcomes", "line 16"),
    (("[took_part, completed]", "[took_part, took_part]"), "written twice", "line 16"),
    (("        volunteering:", "        volunteers:"), "Did you mean 'volunteering'", "line 16"),
    (("contributions: [other]", "contributions: [chairing]"), "contributions", "line 14"),
    (("contributions: [other]", "contributions: other"), "square brackets", "line 14"),
    (("      joined: yes", "      answered: yes"), "first stage", "line 2"),
    (("      came_to_a_meeting: yes", "      joined: yes"), "only the first stage", "line 6"),
    (("      contributions: [other]", "      answered: yes"), "already counts", "line 11"),
    (("    name: Volunteering", "    name: " + "V" * 41), "too long", "line 12"),
    (
        (
            "    reached_by:\n      contributions: [other]",
            "    reached_by: []\n    x: 1\n      contributions: [other]",
        ),
        "",
        None,
    ),
    (("  - key: volunteering", "  - kee: volunteering"), "Did you mean 'key'", "line 11"),
]


@pytest.mark.parametrize(("change", "words", "line"), MISTAKES)
def test_every_mistake_is_refused_with_the_line_and_a_fix(
    tmp_path: Path, change: tuple[str, str], words: str, line: str | None
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as refused:
        load_stages(path)
    message = str(refused.value)
    assert str(path) in message
    assert words in message
    if line:
        assert line in message


def test_too_few_or_too_many_stages_are_refused(tmp_path: Path) -> None:
    one = "stages:\n  - key: joined\n    name: Joined\n    reached_by:\n      joined: yes\n"
    with pytest.raises(ConfigError, match="between 2 and 10"):
        load_stages(write(tmp_path, one))
    many = "stages:\n" + "".join(
        f"  - key: s{i}\n    name: S{i}\n    reached_by:\n      contributions: [other]\n"
        for i in range(11)
    )
    with pytest.raises(ConfigError, match="between 2 and 10"):
        load_stages(write(tmp_path, many))


def test_a_stage_without_anything_that_reaches_it_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    reached_by:\n      contributions: [other]\n      opportunities:\n"
        "        volunteering: [took_part, completed]\n",
        "    reached_by:\n",
    )
    with pytest.raises(ConfigError, match="at least one fact"):
        load_stages(write(tmp_path, text))


def test_a_tab_or_a_missing_file_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tab"):
        load_stages(write(tmp_path, GOOD.replace("    name: Joined", "\tname: Joined")))
    with pytest.raises(ConfigError, match="missing"):
        load_stages(tmp_path / "nowhere.yaml")


def test_a_broken_file_stops_start_up_and_the_check(tmp_path: Path) -> None:
    broken = write(tmp_path, GOOD.replace("answered: yes", "answerd: yes"))
    config = make_settings(tmp_path, progression_stages_file=broken)
    with pytest.raises(ConfigError, match="answerd"):
        load_data_files(config)  # what start-up and `python -m bot check` both call


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.yaml"
    try:
        path.write_text(text, encoding="utf-8")
    except UnicodeEncodeError:
        return
    with contextlib.suppress(ConfigError):  # a clear refusal is fine; anything else fails
        load_stages(path)
