"""`python -m sandbox`: the emulator, the real bot and the web chat in one process on 127.0.0.1."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from bot.logging_setup import configure_logging
from config.errors import ConfigError
from sandbox.runtime import SANDBOX_TOKEN, Sandbox
from sandbox.web import build_web_app
from storage.db import DatabaseError

HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def port_from_env() -> int:
    """SANDBOX_PORT, or 8080."""
    raw = os.environ.get("SANDBOX_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"SANDBOX_PORT must be a port number from 1 to 65535, not {raw!r}")
    return int(raw)


def database_from_env() -> dict[str, Path]:
    """SANDBOX_DATABASE, when set: where the sandbox keeps its data (two sandboxes side by side)."""
    raw = os.environ.get("SANDBOX_DATABASE", "").strip()
    return {"database_path": Path(raw)} if raw else {}


async def serve(port: int) -> None:
    """Run the sandbox until a stop signal, then shut everything down cleanly."""
    sandbox = Sandbox(**database_from_env())
    await sandbox.start()
    runner = web.AppRunner(build_web_app(sandbox), access_log=None)
    try:
        await runner.setup()
        await web.TCPSite(runner, HOST, port).start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            f"The sandbox is running: open http://{HOST}:{port} in your browser.\n"
            f"It keeps its data in {sandbox.database_path}, never in the real database.\n"
            "To run the bot on Telegram instead, put BOT_TOKEN=<token from @BotFather> in .env "
            "and run `make run` again.\n"
            "Press Ctrl+C to stop.",
            flush=True,
        )
        await stop.wait()
        print("Stopping…", flush=True)
    finally:
        await runner.cleanup()
        await sandbox.stop()


def main() -> int:
    """Start the sandbox, explaining any problem plainly."""
    try:
        port = port_from_env()
    except ValueError as exc:
        print(f"The sandbox cannot start. {exc}", file=sys.stderr)
        return 2
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING"), [SANDBOX_TOKEN])
    try:
        asyncio.run(serve(port))
    except ConfigError as exc:
        print(f"The sandbox cannot start. {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"The sandbox cannot start. {exc}", file=sys.stderr)
        return 3
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(
            f"The sandbox cannot start: port {port} on {HOST} is already in use. "
            "Set SANDBOX_PORT to another port, e.g. SANDBOX_PORT=8090 make run.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
