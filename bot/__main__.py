"""The command line: `python -m bot` runs the bot with long polling until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.app import build_application
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


async def serve(settings: Settings) -> None:
    """Run the bot until a stop signal, then shut down cleanly."""
    app = await build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        await app.start()
        await app.updater.start_polling(allowed_updates=["message", "callback_query"])
        print("The bot is running. Press Ctrl+C to stop.", flush=True)
        await stop.wait()
        print("Stopping…", flush=True)
        await app.updater.stop()
        await app.stop()


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
