"""Shared fixtures for the crisis net's tests: the shipped net, with and without the learned
signal."""

from __future__ import annotations

import pytest

from bot.crisis import DEFAULT_PHRASES_PATH, DEFAULT_RULES_PATH, CrisisMatcher, load_crisis_matcher


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
