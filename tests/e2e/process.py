"""Runs `python -m bot` as a real subprocess, with settings passed only through its environment.

The bot runs in an empty working directory (so no project .env is read) with an environment built
from scratch. Its output goes to files beside it, read back by the test. Every wait is bounded,
and the process is always killed on the way out.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A token only these tests use; its secret part (after the colon) must never be printed.
TOKEN = "424242:PROCESS-secret-d41d8cd98f00b204e980"
TOKEN_SECRET = TOKEN.split(":", 1)[1]
READY = "The bot is running"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


@functools.cache
def crisis_cache() -> str:
    """The folder of the crisis net's learned signal, trained here once on the examples as
    they are. Each bot process has a new HOME, so without this each would train the signal as
    it starts (about ten seconds); the start itself is what these tests time. A first start
    that trains is covered by tests/crisis/test_signal_cache.py."""
    from bot.crisis import load_crisis_matcher
    from bot.crisis.signal_cache import folder
    from config.settings import CONFIG_DIR

    load_crisis_matcher(CONFIG_DIR / "crisis_phrases.yaml", CONFIG_DIR / "crisis_rules.yaml")
    return str(folder())


@functools.cache
def matplotlib_cache() -> str:
    """matplotlib's cache folder, with its font list made (here, once)."""
    import matplotlib
    from matplotlib import font_manager

    font_manager.findfont("DejaVu Sans")
    return matplotlib.get_cachedir()


def bot_env(home: Path, **settings: str) -> dict[str, str]:
    """An environment from scratch: what Python needs, PTB's timedelta opt-in, the crisis
    signal's cache (``crisis_cache``) and the settings.

    PYTHONPATH puts this checkout first, so the code under test runs even if the editable
    install points at another copy.
    """
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PTB_TIMEDELTA": "true",
        "FORUM_BOT_CACHE": crisis_cache(),
        # matplotlib's font list, made once (with a new HOME it would be made at every start)
        "MPLCONFIGDIR": matplotlib_cache(),
    }
    env.update(settings)
    return env


def emulator_settings(emu: BotApiEmulator, database: Path, **extra: str) -> dict[str, str]:
    """The settings for a bot that talks to ``emu`` and keeps its data in ``database``."""
    return {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE_URL": emu.base_url,
        "BOT_API_BASE_FILE_URL": emu.base_file_url,
        "DATABASE_PATH": str(database),
        "COORDINATOR_IDS": "900000001",
        **extra,
    }


class BotProcess:
    """One `python -m bot` subprocess whose stdout and stderr are kept in files."""

    def __init__(self, workdir: Path, env: Mapping[str, str], name: str = "bot") -> None:
        self.workdir = workdir
        self.env = dict(env)
        self._out_path = workdir / f"{name}.stdout"
        self._err_path = workdir / f"{name}.stderr"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        """Start the process in the working directory."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self._out_path.open("wb") as out, self._err_path.open("wb") as err:
            # The child keeps its own copies of the file descriptors.
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        return self

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        """The running process."""
        if self._proc is None:
            raise RuntimeError("process not started")
        return self._proc

    @property
    def stdout(self) -> str:
        """Everything the process wrote to stdout so far."""
        return self._out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return self._err_path.read_text(encoding="utf-8", errors="replace")

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr

    def describe(self) -> str:
        """The exit code and output, for assertion messages."""
        code = self._proc.poll() if self._proc else None
        return f"exit code {code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    async def wait_until_running(self, timeout: float = START_TIMEOUT) -> None:  # noqa: ASYNC109
        """Wait until the bot says it is running; fail if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while READY not in self.stdout:
            if self.proc.poll() is not None:
                raise AssertionError(f"the bot stopped while starting: {self.describe()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not start in {timeout} s: {self.describe()}")
            await asyncio.sleep(0.05)

    async def wait_for_exit(self, timeout: float = START_TIMEOUT) -> int:  # noqa: ASYNC109
        """Wait (without blocking the event loop) for the process to end; return its exit code."""
        deadline = time.monotonic() + timeout
        while (code := self.proc.poll()) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not exit in {timeout} s: {self.describe()}")
            await asyncio.sleep(0.05)
        return code

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:  # noqa: ASYNC109
        """Send ``sig`` and wait for the process to end; return its exit code."""
        self.proc.send_signal(sig)
        return await self.wait_for_exit(timeout)

    def kill(self) -> None:
        """Kill the process if it still runs, and reap it."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=STOP_TIMEOUT)


async def run_to_exit(
    workdir: Path,
    env: Mapping[str, str],
    name: str = "bot",
    timeout: float = START_TIMEOUT,  # noqa: ASYNC109
) -> BotProcess:
    """Run the bot where it is expected to stop by itself; return the finished process."""
    bot = BotProcess(workdir, env, name).start()
    try:
        await bot.wait_for_exit(timeout)
    finally:
        bot.kill()
    return bot


@asynccontextmanager
async def running_bot_process(
    workdir: Path, env: Mapping[str, str], name: str = "bot"
) -> AsyncIterator[BotProcess]:
    """Start the bot, wait until it is running, and kill it on the way out if still running."""
    bot = BotProcess(workdir, env, name).start()
    try:
        await bot.wait_until_running()
        yield bot
    finally:
        bot.kill()


async def say(emu: BotApiEmulator, user_id: int, text: str) -> MessageRecord:
    """The person sends text; return the bot's next message or edit in that chat."""
    await emu.send_text(user_id, text)
    return await emu.wait_for_message(user_id, timeout=10)


async def press(
    emu: BotApiEmulator, user_id: int, message: MessageRecord, label: str
) -> MessageRecord:
    """The person presses a button by its label; return the bot's next message or edit."""
    query_id = await emu.press_button(user_id, message, text=label)
    reply = await emu.wait_for_message(user_id, timeout=10)
    await emu.wait_for_answer(query_id, timeout=10)
    return reply


async def join(emu: BotApiEmulator, user_id: int, first_name: str) -> MessageRecord:
    """Take a new person through joining (consent, first region, first hub, Done)."""
    emu.add_user(user_id, first_name)
    await say(emu, user_id, "/start")
    privacy = await emu.wait_for_message(user_id, timeout=10)
    picker = await press(emu, user_id, privacy, "Yes, I agree")
    if picker.text and picker.text.startswith("Thank you"):
        picker = await emu.wait_for_message(user_id, timeout=10)
    hubs = await press(emu, user_id, picker, "North West")
    prefs = await press(emu, user_id, hubs, hubs.buttons[0][0])
    return await press(emu, user_id, prefs, "Done")
