"""Fixtures shared by every test: settings, a real migrated database and a fixed clock."""

from __future__ import annotations

import functools
import inspect
import os
import types
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import hypothesis
import pytest

from bot.clock import Clock
from config.settings import Settings
from storage.db import Database, open_database

# PTB's future default for time periods; without it PTB warns each time it builds a RetryAfter.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Property tests check what happens, never how fast: no per-example deadline, so an example
# that waits behind the other test worker on a 2-core machine is not a failure.
hypothesis.settings.register_profile("forum", deadline=None)
hypothesis.settings.load_profile("forum")

TEST_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"
# Thursday 10 December 2026, 14:30 UTC (also 14:30 in London: no summer time in December).
START = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings with a test token and the database in tmp_path; no .env file is read."""
    values: dict[str, object] = {
        "bot_token": TEST_TOKEN,
        "database_path": tmp_path / "forum.db",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Clock:
    """A clock fixed at START; tests move it on with clock.advance."""
    return Clock(START)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real SQLite database in tmp_path with every migration applied."""
    database = await open_database(tmp_path / "forum.db")
    try:
        yield database
    finally:
        await database.close()


# --- how long a test takes: `make test-fast` runs the tests not marked slow ---------------------

TESTS = Path(__file__).parent
# Fixtures that start the emulator, the whole bot (an Application on the emulator), a process or
# a browser: any test using one, directly or through another fixture, is marked slow.
SLOW_FIXTURES = frozenset(
    {
        "emu",  # the Bot API emulator (each folder's conftest)
        "bot",  # the real bot on the emulator (or a telegram.Bot talking to it)
        "office",  # the real bot, coordinators' side (e2e/test_carry_on.py)
        "hooked",  # the real bot by webhook (ops_web)
        "quick_bot",  # a telegram.Bot on the emulator with short timeouts
        "capped",  # an emulator with flood limits on its own clock
        "emulator",  # the emulator as its own process (delivery/test_process_faults.py)
        "sandbox",  # the sandbox: emulator and bot in one loop
        "client",  # the sandbox's web page server
        "page",  # a browser on the sandbox's page
    }
)
# Whole-flow folders: every test in them drives the whole bot.
SLOW_FOLDERS = (TESTS / "e2e", TESTS / "sandbox")
# A test whose own code starts the emulator, the whole bot or a process (the bot, the emulator,
# a child killed mid-write).
STARTS_WORDS = (
    "BotApiEmulator(",
    "running_bot(",
    "create_subprocess_exec",
    "killed_child(",
    "EmulatorProcess(",
    "BotProcess(",
)
# Tests of one unit that still take many seconds of CPU each (measured with --durations on the
# 2-core development machine): slow too, so `make test-fast` stays under a minute.
HEAVY = {
    # fits scikit-learn's own pipeline and scores every example both ways: about 20 s
    "tests/crisis/test_learned.py::test_fast_scores_equal_the_pipeline_on_every_example",
    # an independent attacker enumerates every table hypothesis draws: about 10 s
    "tests/unit/test_suppression.py::test_no_small_count_is_shown_or_can_be_worked_out",
    # every figure of many protected packs checked together: about 5 s
    "tests/unit/test_small_groups.py::test_all_figures_together_never_single_anyone_out",
    # python-telegram-bot reads every batch hypothesis makes: about 7 s and 5 s
    "tests/unit/test_http_request.py::test_whatever_comes_the_library_reads_the_batch_and_every_id_is_kept",
    "tests/unit/test_http_request.py::test_a_press_taken_as_plain_is_one_the_library_reads",
}


def _source(function: object) -> str:
    """A function's source, or nothing when it has none to read."""
    try:
        return inspect.getsource(function)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""


@functools.cache
def _starter_calls(module: types.ModuleType) -> tuple[str, ...]:
    """What starts something, as seen from a test module: the words themselves, and calls of
    the test helpers it can use (its own or imported from tests/) whose code holds one."""
    helpers = [
        f"{name}("
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__.startswith("tests")
        and not name.startswith("test_")
        and any(word in _source(value) for word in STARTS_WORDS)
    ]
    words = STARTS_WORDS + tuple(helpers)
    whole = _source(module)
    return words if any(word in whole for word in words) else ()  # most modules: none


def _starts_something(item: pytest.Item) -> bool:
    """Whether the test's own code starts the emulator, the bot or a process, itself or
    through a test helper."""
    function = getattr(item, "function", None)
    module = getattr(item, "module", None)
    if function is None or module is None:
        return False
    words = _starter_calls(module)
    return bool(words) and any(word in _source(function) for word in words)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark whole-bot, emulator, process, browser and measured heavy tests slow."""
    for item in items:
        path = Path(str(item.path))
        if (
            SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))
            or any(path.is_relative_to(folder) for folder in SLOW_FOLDERS)
            or _starts_something(item)
            or item.nodeid.partition("[")[0] in HEAVY
        ):
            item.add_marker(pytest.mark.slow)
