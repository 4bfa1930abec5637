"""MEETING_REMINDER_HOURS: read from the environment, checked, and used for due times."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import load_settings


def test_hours_are_read_largest_first_without_repeats(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEETING_REMINDER_HOURS", " 2, 48 ,2")
    assert load_settings().meeting_reminder_hours == [48, 2]
    monkeypatch.delenv("MEETING_REMINDER_HOURS")
    assert load_settings().meeting_reminder_hours == [24, 2]


@pytest.mark.parametrize("value", ["0", "169", "two", "24;2", "-1"])
def test_bad_hours_name_the_setting_and_the_fix(tmp_path: Path, monkeypatch, value: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEETING_REMINDER_HOURS", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "MEETING_REMINDER_HOURS" in str(caught.value)
