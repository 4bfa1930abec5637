"""The whole program: `python -m bot` as a real process, as someone running it would see it."""

from __future__ import annotations

import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from config.settings import CONFIG_DIR
from emulator.emulator import BotApiEmulator
from tests.e2e.process import (
    TOKEN,
    TOKEN_SECRET,
    BotProcess,
    bot_env,
    emulator_settings,
    join,
    run_to_exit,
    running_bot_process,
    say,
)

pytestmark = pytest.mark.timeout(60)

ALEX = 700_000_101
SAM = 700_000_102
MEMBER_COMMANDS = [
    "menu",
    "meetings",
    "surveys",
    "support",
    "settings",
    "opportunities",
    "mydata",
    "journey",
    "leave",
    "help",
]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """An emulator in this test's event loop; the bot process reaches it over 127.0.0.1.

    Flood control is off: joining sends several messages to one chat, and waiting out the
    per-chat limit would only slow these tests (the in-process flows test flood control).
    """
    async with BotApiEmulator(flood_control=False) as emulator:
        yield emulator


def assert_no_token(bot: BotProcess) -> None:
    """Neither the token nor its secret part shows in anything the process printed."""
    output = bot.output
    assert TOKEN not in output
    assert TOKEN_SECRET not in output


def assert_no_traceback(bot: BotProcess) -> None:
    """The process explained itself in words, not with a Python traceback."""
    assert "Traceback" not in bot.output, bot.describe()


async def welcome(emu: BotApiEmulator, user_id: int, first_name: str) -> tuple[str, str]:
    """A new person sends /start; return the texts of the bot's first two replies."""
    emu.add_user(user_id, first_name)
    first = await say(emu, user_id, "/start")
    second = await emu.wait_for_message(user_id, timeout=10)
    return first.text, second.text


def assert_welcomed(texts: tuple[str, str]) -> None:
    """The replies are the welcome and the privacy notice."""
    greeting, privacy = texts
    assert "welcome to the National Service User Forum" in greeting
    assert "What we keep" in privacy


# -------------------------------------------------------------------------- refusing to start


async def test_without_a_token_it_says_how_to_get_one_and_where_to_put_it(tmp_path: Path) -> None:
    bot = await run_to_exit(tmp_path, bot_env(tmp_path))

    assert bot.proc.returncode == 2, bot.describe()
    assert "@BotFather" in bot.stderr
    assert ".env" in bot.stderr and "BOT_TOKEN=" in bot.stderr
    assert_no_traceback(bot)


@pytest.mark.parametrize(
    ("setting", "value", "fix"),
    [
        ("TIMEZONE", "Mars/Olympus", "Europe/London"),
        ("COORDINATOR_IDS", "abc", "separated by commas"),
        ("BOT_TOKEN", "changeme", "@BotFather"),
        ("BOT_API_BASE_URL", "ftp://x", "http"),
    ],
)
async def test_a_wrong_setting_is_named_with_its_fix(
    tmp_path: Path, setting: str, value: str, fix: str
) -> None:
    settings = {"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "forum.db"), setting: value}

    bot = await run_to_exit(tmp_path, bot_env(tmp_path, **settings))

    assert bot.proc.returncode != 0, bot.describe()
    assert setting in bot.stderr and fix in bot.stderr, bot.describe()
    assert_no_token(bot)
    if setting == "BOT_TOKEN":
        assert value not in bot.output
    assert_no_traceback(bot)


async def test_a_mistake_in_the_directory_file_names_the_file_the_entry_and_the_problem(
    tmp_path: Path,
) -> None:
    original = (CONFIG_DIR / "support_directory.yaml").read_text(encoding="utf-8")
    good = '    phone: "116 123"\n'
    assert original.count(good) == 1
    broken = tmp_path / "my_directory.yaml"
    broken.write_text(original.replace(good, '    phone: "one one six"\n'), encoding="utf-8")
    settings = {"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "forum.db")}

    bot = await run_to_exit(tmp_path, bot_env(tmp_path, DIRECTORY_FILE=str(broken), **settings))

    assert bot.proc.returncode != 0, bot.describe()
    assert "my_directory.yaml" in bot.stderr
    assert "samaritans" in bot.stderr
    assert "phone" in bot.stderr
    assert_no_traceback(bot)


async def test_a_database_from_a_newer_version_stops_it_with_a_clear_message(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    database = tmp_path / "forum.db"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()

    bot = await run_to_exit(tmp_path, bot_env(tmp_path, **emulator_settings(emu, database)))

    assert bot.proc.returncode != 0, bot.describe()
    assert "newer version" in bot.stderr and "DATABASE_PATH" in bot.stderr
    assert_no_traceback(bot)
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 999  # left as it was
    finally:
        conn.close()


async def test_a_token_telegram_refuses_is_named_without_printing_it(tmp_path: Path) -> None:
    other_token = "999999:another-bot-token-entirely-xyz"
    async with BotApiEmulator(token=other_token) as emu:
        env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db"))
        bot = await run_to_exit(tmp_path, env)

    assert bot.proc.returncode != 0, bot.describe()
    assert "BOT_TOKEN" in bot.stderr and "@BotFather" in bot.stderr
    assert_no_token(bot)
    assert_no_traceback(bot)


async def test_an_unreachable_bot_api_is_named_without_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATABASE_PATH": str(tmp_path / "forum.db"),
    }

    bot = await run_to_exit(tmp_path, bot_env(tmp_path, **settings))

    assert bot.proc.returncode != 0, bot.describe()
    assert "could not reach" in bot.stderr and "BOT_API_BASE_URL" in bot.stderr
    assert_no_token(bot)
    assert_no_traceback(bot)


# ------------------------------------------------------------------------------ running


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_it_answers_start_registers_the_menu_and_stops_cleanly_on_a_signal(
    tmp_path: Path, emu: BotApiEmulator, sig: signal.Signals
) -> None:
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db"))

    async with running_bot_process(tmp_path, env) as bot:
        assert_welcomed(await welcome(emu, ALEX, "Alex"))
        assert emu.commands_for("default") == MEMBER_COMMANDS

        code = await bot.stop(sig, timeout=5)

    assert code == 0, bot.describe()
    assert_no_traceback(bot)
    assert_no_token(bot)


async def test_settings_in_a_dot_env_file_in_the_working_directory_are_used(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    settings = emulator_settings(emu, tmp_path / "forum.db")
    lines = [f"{name}={value}" for name, value in settings.items()]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")

    async with running_bot_process(tmp_path, bot_env(tmp_path)) as bot:
        assert_welcomed(await welcome(emu, ALEX, "Alex"))
        assert await bot.stop() == 0, bot.describe()


async def test_a_second_copy_on_the_same_database_is_refused_and_the_first_keeps_going(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db"))

    async with running_bot_process(tmp_path, env, name="first") as first:
        second = await run_to_exit(tmp_path, env, name="second")

        assert second.proc.returncode != 0, second.describe()
        assert "Another copy of the bot is already using" in second.stderr
        assert "DATABASE_PATH" in second.stderr
        assert_no_traceback(second)
        assert first.proc.poll() is None, first.describe()
        assert_welcomed(await welcome(emu, ALEX, "Alex"))
        assert await first.stop() == 0, first.describe()


async def test_members_are_remembered_across_a_restart(tmp_path: Path, emu: BotApiEmulator) -> None:
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db"))

    async with running_bot_process(tmp_path, env, name="before") as before:
        done = await join(emu, SAM, "Sam")
        assert "You are all set" in done.text
        assert await before.stop() == 0, before.describe()

    async with running_bot_process(tmp_path, env, name="after") as after:
        greeting = await say(emu, SAM, "/start")
        assert "Welcome back, Sam" in greeting.text
        assert await after.stop() == 0, after.describe()


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_the_token_and_what_members_write_stay_out_of_the_output(
    tmp_path: Path, emu: BotApiEmulator, level: str
) -> None:
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db", LOG_LEVEL=level))
    private_words = "my private words zanzibar"

    async with running_bot_process(tmp_path, env) as bot:
        await join(emu, ALEX, "Alex")
        await say(emu, ALEX, private_words)
        emu.inject_fault("sendMessage", "500")  # the next reply fails: a handler error
        emu.add_user(SAM, "Sam")
        sorry = await say(emu, SAM, "/start")
        assert "something went wrong" in sorry.text
        assert await bot.stop() == 0, bot.describe()

    assert "ERROR" in bot.stderr, bot.describe()  # the failure was logged...
    assert_no_token(bot)  # ...without the token
    if level == "INFO":
        assert "zanzibar" not in bot.output


async def test_a_failing_command_menu_does_not_stop_the_bot(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    emu.inject_fault("setMyCommands", "500", count=2)  # the default menu and the coordinator's
    env = bot_env(tmp_path, **emulator_settings(emu, tmp_path / "forum.db"))

    async with running_bot_process(tmp_path, env) as bot:
        assert_welcomed(await welcome(emu, ALEX, "Alex"))
        assert emu.count("setMyCommands", 500) == 2
        assert emu.commands_for("default") == []
        assert "command menu" in bot.stderr
        assert await bot.stop() == 0, bot.describe()
