"""Settings: defaults, reading the environment and .env, and a clear message for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.settings import CONFIG_DIR, Settings, load_settings
from tests.conftest import TEST_TOKEN, make_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the machine: every name unset, and no .env in the folder."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings()

    assert settings.bot_token is None
    assert settings.bot_api_base_url == "https://api.telegram.org/bot"
    assert settings.database_path == Path("data/forum.db")
    assert settings.coordinator_ids == []
    assert settings.timezone == "Europe/London"
    assert settings.zone.key == "Europe/London"
    assert settings.forum_file == CONFIG_DIR / "forum.yaml"
    assert settings.texts_dir == CONFIG_DIR / "texts"
    assert settings.forum_file.is_file()
    assert settings.texts_dir.is_dir()
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (21, 8)


def test_make_settings_gives_a_usable_test_configuration(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, coordinator_ids=[7])

    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TEST_TOKEN
    assert settings.database_path == tmp_path / "forum.db"
    assert settings.coordinator_ids == [7]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1, 2,3", [1, 2, 3]),
        ("12345", [12345]),
        (" 12345 , 67890 ,", [12345, 67890]),
        ("", []),
    ],
)
def test_coordinator_ids_are_read_from_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[int]
) -> None:
    monkeypatch.setenv("COORDINATOR_IDS", raw)

    assert load_settings().coordinator_ids == expected


def test_settings_come_from_environment_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "env.db"))
    monkeypatch.setenv("COORDINATOR_IDS", "11,22")
    monkeypatch.setenv("TIMEZONE", "Europe/Dublin")
    monkeypatch.setenv("QUIET_HOURS_START", "22")

    settings = load_settings()

    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TEST_TOKEN
    assert settings.bot_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.database_path == tmp_path / "env.db"
    assert settings.coordinator_ids == [11, 22]
    assert settings.timezone == "Europe/Dublin"
    assert settings.quiet_hours_start == 22


def test_settings_come_from_a_dotenv_file_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={TEST_TOKEN}\nCOORDINATOR_IDS=4, 5\nTIMEZONE=Europe/Dublin\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TIMEZONE", "Europe/London")

    settings = load_settings()

    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TEST_TOKEN
    assert settings.coordinator_ids == [4, 5]
    assert settings.timezone == "Europe/London"


def test_a_blank_token_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "   ")

    assert load_settings().bot_token is None


def test_token_is_trimmed_and_hidden_when_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", f"  {TEST_TOKEN}  ")

    settings = load_settings()

    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TEST_TOKEN
    assert TEST_TOKEN not in repr(settings)
    assert TEST_TOKEN not in str(settings)


@pytest.mark.parametrize(
    ("name", "value", "fix"),
    [
        ("BOT_TOKEN", "not-a-token", "put BOT_TOKEN=<token> in .env"),
        ("BOT_TOKEN", "changeme", "put BOT_TOKEN=<token> in .env"),
        ("BOT_TOKEN", "your-token-here", "put BOT_TOKEN=<token> in .env"),
        ("BOT_TOKEN", "123456:short", "put BOT_TOKEN=<token> in .env"),
        ("BOT_TOKEN", "abcdef:abcdefghijklmnopqrstuvwxyz", "put BOT_TOKEN=<token> in .env"),
        ("TIMEZONE", "Mars/Olympus_Mons", "a name like Europe/London"),
        ("TIMEZONE", "../../etc/passwd", "a name like Europe/London"),
        ("TIMEZONE", "", "a name like Europe/London"),
        ("COORDINATOR_IDS", "1, two, 3", "separated by commas"),
        ("COORDINATOR_IDS", "12;34", "separated by commas"),
        ("COORDINATOR_IDS", "1.5", "separated by commas"),
        ("COORDINATOR_IDS", "--5", "separated by commas"),
        ("COORDINATOR_IDS", "-100123", "separated by commas"),
        ("COORDINATOR_IDS", "²", "separated by commas"),
        ("QUIET_HOURS_START", "24", "Use a whole hour from 0 to 23"),
        ("QUIET_HOURS_START", "-1", "Use a whole hour from 0 to 23"),
        ("QUIET_HOURS_END", "nine", "Use a whole hour from 0 to 23"),
        ("BOT_API_BASE_URL", "api.telegram.org/bot", "full http(s) URL"),
        ("BOT_API_BASE_URL", "ftp://example.org/bot", "full http(s) URL"),
        ("BOT_API_BASE_FILE_URL", "example.org/file", "full http(s) URL"),
    ],
)
def test_each_wrong_value_names_the_setting_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fix: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = str(caught.value)
    assert f"{name}:" in message
    assert fix in message


def test_wrong_ids_say_which_part_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COORDINATOR_IDS", "12345, --5")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "'--5' is not a Telegram id" in str(caught.value)


def test_two_wrong_settings_are_both_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Nowhere/Special")
    monkeypatch.setenv("QUIET_HOURS_END", "99")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "TIMEZONE:" in str(caught.value)
    assert "QUIET_HOURS_END:" in str(caught.value)


def test_a_bad_value_in_the_dotenv_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("TIMEZONE=London\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="TIMEZONE: unknown time zone 'London'"):
        load_settings()


def test_a_wrong_token_is_not_repeated_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "123456:almost-a-token"
    monkeypatch.setenv("BOT_TOKEN", secret)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert "BOT_TOKEN" in str(caught.value)
    assert "almost-a-token" not in str(caught.value)
