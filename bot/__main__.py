"""The command line: `python -m bot` runs the bot with long polling until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys

from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.lifecycle import polling
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
    app = await build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with polling(app):
        print("The bot is running. Press Ctrl+C to stop.", flush=True)
        await stop.wait()
        print("Stopping…", flush=True)


def main() -> int:
    """Read settings, explain any problem plainly, and run."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"The bot cannot start. {exc.problem}", file=sys.stderr)
        return 2
    if settings.bot_token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, [settings.bot_token.get_secret_value()])
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
