"""The webhook settings follow Telegram's rules, and the lock file pins every dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.errors import ConfigError
from config.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def settings(**values: object):
    """Settings from these values only (no .env)."""
    return load_settings(_env_file=None, **values)


@given(st.text(alphabet=SECRET_CHARS, min_size=1, max_size=256))
def test_any_secret_telegram_takes_is_taken(secret: str) -> None:
    read = settings(webhook_url="https://bot.example.org/telegram", webhook_secret=secret)
    assert read.webhook_secret is not None
    assert read.webhook_secret.get_secret_value() == secret


@given(
    st.text(min_size=1, max_size=300).filter(
        lambda s: s.strip() and (len(s.strip()) > 256 or not set(s.strip()) <= set(SECRET_CHARS))
    )
)
def test_any_other_secret_is_refused_by_name_without_showing_it(secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(webhook_url="https://bot.example.org/telegram", webhook_secret=secret)
    assert str(caught.value).startswith("settings: WEBHOOK_SECRET:")
    if len(secret.strip()) >= 12:  # shorter ones could be words of the message itself
        assert secret.strip() not in str(caught.value)


@given(st.text(max_size=80))
def test_any_webhook_url_is_taken_only_if_telegram_could_post_to_it(url: str) -> None:
    try:
        read = settings(webhook_url=url)
    except ConfigError as exc:
        assert "WEBHOOK_URL" in str(exc)
        return
    if read.webhook_url is None:
        assert not url.strip()
        return
    assert read.webhook_url.startswith("https://")
    assert read.webhook_secret is not None  # one is made when none is given


def test_without_a_secret_each_start_makes_a_new_random_one() -> None:
    first = settings(webhook_url="https://bot.example.org/telegram").webhook_secret
    second = settings(webhook_url="https://bot.example.org/telegram").webhook_secret
    assert first is not None and second is not None
    assert first.get_secret_value() != second.get_secret_value()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", first.get_secret_value())
    assert settings().webhook_secret is None  # polling: no secret needed


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://bot.example.org/t", "Telegram only posts to https:// addresses"),
        ("https://bot.example.org:8080/t", "ports 443, 80, 88 or 8443, not 8080"),
        ("https://bot.example.org/healthz", "/healthz is kept for the health check"),
        ("https://user:pw@bot.example.org/t", "must not hold a #part or a user name"),
        ("https://bot.example.org:99999/t", "this is not a web address"),
    ],
)
def test_a_wrong_webhook_url_says_why_and_how_to_fix_it(url: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(webhook_url=url)
    assert problem in str(caught.value)
    assert "Set WEBHOOK_URL to the https:// address" in str(caught.value)


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {
        re.sub(r"[-_.]+", "-", name).lower()
        for name in re.findall(r"^([A-Za-z0-9_.-]+)==\S+", lock, re.MULTILINE)
    }
    for requirement in wanted:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement)[0]).lower()
        assert name in pinned, f"{name} is not in requirements.lock: run `make lock`"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_compose_keeps_data_on_a_volume_and_checks_health_as_the_image_does() -> None:
    import yaml

    from tests.ops_web.test_process import dockerfile_healthcheck

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert "forum-data:/data" in bot["volumes"] and "forum-data" in compose["volumes"]
    assert bot["environment"]["DATABASE_PATH"].startswith("/data/")
    assert bot["environment"]["BACKUP_DIR"].startswith("/data/")
    assert bot["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
    assert bot["healthcheck"]["test"][3] == dockerfile_healthcheck()


def test_the_systemd_unit_checks_first_and_may_write_only_data() -> None:
    unit = (ROOT / "deploy" / "forum-bot.service").read_text(encoding="utf-8")
    assert "ExecStartPre=/opt/forum-bot/.venv/bin/python -m bot check" in unit
    assert "ExecStart=/opt/forum-bot/.venv/bin/python -m bot\n" in unit
    assert "ProtectSystem=strict" in unit and "ReadWritePaths=/opt/forum-bot/data" in unit
    assert "User=forum" in unit
