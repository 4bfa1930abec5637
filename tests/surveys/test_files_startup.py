"""Start-up and `python -m bot check` stop on a broken survey file, naming the file and line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import build_application, load_data_files
from bot.ops.check import report, run_checks
from config.errors import ConfigError
from tests.conftest import make_settings
from tests.surveys.survey_strategies import write
from tests.surveys.test_files import survey_text


def broken_folder(tmp_path: Path) -> Path:
    """A surveys folder whose one file has a mistake on line 11."""
    folder = tmp_path / "surveys"
    good = survey_text("- id: a\n  kind: scale\n  text: How?\n")
    write(folder, "hub_feel.yaml", good.replace("kind: scale", "kind: slider"))
    return folder


def test_start_up_stops_on_a_broken_survey_file_before_touching_the_database(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, surveys_dir=broken_folder(tmp_path))
    with pytest.raises(ConfigError) as caught:
        load_data_files(settings)
    assert "hub_feel.yaml" in str(caught.value) and "line 11: 'slider'" in str(caught.value)


async def test_the_bot_does_not_start_with_a_broken_survey_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, surveys_dir=broken_folder(tmp_path))
    with pytest.raises(ConfigError, match=r"hub_feel\.yaml"):
        await build_application(settings)
    assert not (tmp_path / "forum.db").exists()


async def test_the_check_command_names_a_broken_survey_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, surveys_dir=broken_folder(tmp_path), bot_token=None)
    out = io.StringIO()
    code = report(await run_checks(lambda: settings), out)
    printed = out.getvalue()
    data_line = next(line for line in printed.splitlines() if "data files" in line)
    assert code == 1
    assert data_line.startswith("PROBLEM  data files:")
    assert "hub_feel.yaml" in data_line and "line 11" in data_line and "slider" in data_line


async def test_the_check_command_reads_the_shipped_surveys(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, bot_token=None)
    findings = await run_checks(lambda: settings)
    data = next(f for f in findings if f.item == "data files")
    assert data.status == "ok" and "surveys" in data.text
