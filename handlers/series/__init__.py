"""Repeating questions and surveys in Telegram: the Repeat step, /series, the trend in packs."""
