"""Fixtures for the series tests: the `world` of services over a real database."""

from tests.series.world import world_fixture

__all__ = ["world_fixture"]
