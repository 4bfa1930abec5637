"""Shared fixtures for the crisis net's tests: the shipped net, with and without the learned
signal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, CrisisMatcher, load_crisis_matcher

# Some tests here score thousands of messages with the whole net, and the sentence model reads
# each in milliseconds (bot/crisis/encoder.py): on two busy workers one can pass the suite's
# two minutes, so they get ten.
CRISIS_TEST_TIMEOUT = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give the tests of this folder the longer timeout."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.timeout(CRISIS_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def shipped_net() -> CrisisMatcher:
    """The shipped phrases and rules with the learned signal."""
    return load_crisis_matcher(DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH)


@pytest.fixture(scope="session")
def shipped_rules(shipped_net: CrisisMatcher) -> CrisisMatcher:
    """The shipped phrases and rules alone."""
    return shipped_net.with_learned(None)


def gives_crisis_reply(matcher: CrisisMatcher, text: str) -> bool:
    """Whether the net gives the full crisis reply."""
    found = matcher.check(text)
    return found is not None and found.is_crisis
