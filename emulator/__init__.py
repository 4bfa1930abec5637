"""A local stand-in for the Telegram Bot API that keeps Telegram's rules, for tests and the sandbox."""
