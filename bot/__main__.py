"""The command line: `python -m bot` runs the bot (long polling, or a webhook when WEBHOOK_URL is
set) until SIGINT or SIGTERM; `python -m bot check` checks everything is ready; `python -m bot
backup [--to DIR]` copies the database; `python -m bot restore PATH` puts a backup back."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from telegram.error import InvalidToken, NetworkError

from bot.logging_setup import configure_logging
from config.errors import ConfigError
from config.settings import Settings, load_settings
from storage.db import DatabaseError

NO_TOKEN_HELP = """\
The bot needs a token from Telegram before it can start.

1. In Telegram, open a chat with @BotFather and send /newbot.
2. Follow the steps. BotFather gives you a token like 123456789:AA...
3. Put it in a file called .env in this folder, on a line like this:
   BOT_TOKEN=123456789:AA...
4. Run `make run` again.

See README.md, "Getting a bot token", for more.
"""

TOKEN_REFUSED = (
    "Telegram refused BOT_TOKEN. Check it is the token @BotFather gave you: in @BotFather, "
    "send /mybots, pick your bot and press API Token. Put it in .env as BOT_TOKEN=<token>."
)


async def serve(settings: Settings) -> None:
    """Run the bot until a stop signal, then shut down cleanly."""
    # Imported here: `backup` and `restore` start in a moment without the whole bot.
    from bot.app import build_application
    from bot.lifecycle import running

    app = await build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(app, settings):
        print("The bot is running. Press Ctrl+C to stop.", flush=True)
        await stop.wait()
        print("Stopping…", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Read the command line and do what it asks; with no command, run the bot."""
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args.handler(args)


def parser() -> argparse.ArgumentParser:
    """`python -m bot [COMMAND]`: each command sets its handler; none runs the bot."""
    found = argparse.ArgumentParser(
        prog="python -m bot", description="The forum bot. With no command, it runs."
    )
    found.set_defaults(handler=run)
    commands = found.add_subparsers(title="commands", metavar="COMMAND")
    backup = commands.add_parser(
        "backup", help="copy the database now (safe while the bot runs) and print where"
    )
    backup.add_argument(
        "--to", type=Path, metavar="DIR", help="the folder to write it to (default BACKUP_DIR)"
    )
    backup.set_defaults(handler=_ops("backup_command"))
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database (stop the bot first)"
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="the backup file")
    restore.set_defaults(handler=_ops("restore_command"))
    check = commands.add_parser("check", help="check that everything is ready to run")
    check.set_defaults(handler=_check)
    return found


def _ops(name: str) -> Callable[[argparse.Namespace], int]:
    """A command from bot/ops/commands.py, imported only when it is run."""

    def handler(args: argparse.Namespace) -> int:
        """Run the command."""
        from bot.ops import commands

        return getattr(commands, name)(args)

    return handler


def _check(args: argparse.Namespace) -> int:
    """`python -m bot check` (bot/ops/check.py)."""
    from bot.ops.check import main as check

    return check()


def run(args: argparse.Namespace | None = None) -> int:
    """Read settings, explain any problem plainly, and run the bot."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"The bot cannot start. {exc.problem}", file=sys.stderr)
        return 2
    if settings.bot_token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    secrets = [settings.bot_token.get_secret_value()]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(settings.log_level, secrets, settings.log_format)
    try:
        asyncio.run(serve(settings))
    except ConfigError as exc:
        print(f"The bot cannot start. {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"The bot cannot start. {exc}", file=sys.stderr)
        return 3
    except InvalidToken:
        # PTB's message holds the whole token: never print it.
        print(f"The bot cannot start. {TOKEN_REFUSED}", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(
            f"The bot cannot start. It could not reach the Bot API at "
            f"{settings.bot_api_base_url} ({type(exc).__name__}). Check the internet "
            "connection, and BOT_API_BASE_URL (leave it unset to use Telegram).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
