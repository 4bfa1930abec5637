"""Command line: ``python -m emulator --port 8081`` serves the emulator on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .emulator import BotApiEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Serve the Telegram Bot API emulator on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument("--token", help="accept only this bot token (default: any)")
    parser.add_argument("--no-flood-control", action="store_true", help="switch flood control off")
    parser.add_argument(
        "--lenient-html",
        action="store_true",
        help='accept a bare "&" in HTML text as real Telegram does',
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME",
        help="add a user before serving (repeatable)",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="ID:TITLE",
        help="add a group (negative id) before serving (repeatable)",
    )
    return parser.parse_args(argv)


def _split(spec: str) -> tuple[int, str]:
    """Split an ``ID:NAME`` option."""
    ident, _, name = spec.partition(":")
    try:
        return int(ident), name or ident
    except ValueError:
        raise SystemExit(f"expected ID:NAME, got {spec!r}") from None


async def serve(args: argparse.Namespace) -> None:
    """Run until SIGINT or SIGTERM."""
    emu = BotApiEmulator(
        port=args.port,
        token=args.token,
        flood_control=not args.no_flood_control,
        strict_html=not args.lenient_html,
    )
    for spec in args.user:
        emu.add_user(*_split(spec))
    for spec in args.group:
        emu.add_group(*_split(spec))
    await emu.start()
    print(emu.base_url, flush=True)
    print(f"file URL:    {emu.base_file_url}", flush=True)
    print(f"control API: {emu.control_url}", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    try:
        await done.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
