"""The delivery engine's settings: defaults, limits, and a fix for each mistake."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.settings import load_settings
from tests.conftest import TEST_TOKEN


def test_defaults_leave_room_for_replies() -> None:
    settings = load_settings(_env_file=None, bot_token=TEST_TOKEN)
    assert settings.delivery_rate_per_second == 25
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (21, 8)
    assert settings.delivery_max_attempts == 5


@pytest.mark.parametrize(
    ("name", "value", "fix"),
    [
        ("delivery_rate_per_second", 31, "DELIVERY_RATE_PER_SECOND to a number from 1 to 30"),
        ("delivery_rate_per_second", 0, "DELIVERY_RATE_PER_SECOND to a number from 1 to 30"),
        ("delivery_max_attempts", 0, "DELIVERY_MAX_ATTEMPTS"),
        ("delivery_retry_base_seconds", 0, "DELIVERY_RETRY_BASE_SECONDS"),
        ("delivery_send_timeout_seconds", 500, "DELIVERY_SEND_TIMEOUT_SECONDS"),
        ("delivery_progress_seconds", 0.5, "DELIVERY_PROGRESS_SECONDS"),
        ("quiet_hours_start", 24, "whole hour from 0 to 23"),
    ],
)
def test_each_mistake_names_the_setting_and_how_to_fix_it(name, value, fix) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, bot_token=TEST_TOKEN, **{name: value})
    assert name.upper() in str(caught.value)
    assert fix in str(caught.value)
