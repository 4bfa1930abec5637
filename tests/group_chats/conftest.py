"""Fixtures for the group chat tests: the whole-flow emulator (Telegram's limits, short bursts
allowed per chat)."""

from tests.e2e.conftest import emu  # noqa: F401 - the fixture `emu`
