"""Fixtures for backups and restores: the bot's real services over a database in a temporary
folder (as bot/app.py builds them), filled with members who joined and voted through the
services, and helpers to read what a database file holds."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.services.consultations.rules import ConsultationDraft
from bot.services.registry import Services
from config.settings import Settings
from tests.conftest import START, make_settings

CASEY = 900_000_101  # the coordinator named in settings
FIRST_MEMBER = 710_000_001
HUBS = (("north_west", "nw_hub_1"), ("north_east", "ne_hub_2"), ("midlands", None))
OPTIONS = ("Yes", "No", "Not sure")
KEY = "correct horse battery staple 42"


def settings_for(folder: Path, **overrides: object) -> Settings:
    """Settings with the database (and so the backups folder) in ``folder``."""
    return make_settings(folder, **({"coordinator_ids": [CASEY]} | overrides))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The bot's settings in tmp_path, no encryption."""
    return settings_for(tmp_path)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Every service over a real migrated database, on a clock fixed at START."""
    built = await build_services(settings, Clock(START))
    try:
        yield built
    finally:
        await built.db.close()


async def join(services: Services, member_id: int, index: int = 0) -> None:
    """A member joins through the service: consent, region, hub, setup done."""
    region, hub = HUBS[index % len(HUBS)]
    await services.members.join(member_id, f"Member{index}")
    await services.members.choose_region(member_id, region)
    if hub is not None:
        await services.members.choose_hub(member_id, hub)
    await services.members.finish_setup(member_id)


async def open_consultation(services: Services, question: str = "Should we meet online?") -> int:
    """A coordinator asks everyone a question; it opens now (invitations written)."""
    now = services.clock.now()
    draft = ConsultationDraft(
        question=question,
        options=OPTIONS,
        multiple=False,
        ask_comment=False,
        audience=Audience(EVERYONE),
        closes_at=now + timedelta(days=3),
        member_note="No names are shared.",
    )
    consultation = await services.consultations.create(CASEY, draft)
    await services.consultations.open_due()
    return consultation.id


async def fill(services: Services, members: int) -> tuple[list[int], int]:
    """``members`` members join and each votes on one open consultation; their ids and the
    consultation's."""
    ids = [FIRST_MEMBER + i for i in range(members)]
    for index, member_id in enumerate(ids):
        await join(services, member_id, index)
    consultation_id = await open_consultation(services)
    for index, member_id in enumerate(ids):
        await services.consultations.vote(member_id, consultation_id, index % len(OPTIONS))
    return ids, consultation_id


def read(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of a query on a database file (opened read-only, nothing written beside it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def votes_in(path: Path, consultation_id: int) -> dict[int, int]:
    """Each member's answer (option position) to the consultation, from a database file."""
    return dict(
        read(
            path,
            "SELECT member_id, position FROM consultation_choices WHERE consultation_id = ?",
            (consultation_id,),
        )
    )


def member_ids_in(path: Path) -> set[int]:
    """The members in a database file."""
    return {row[0] for row in read(path, "SELECT telegram_id FROM members")}
