"""Invitation links for readers of the progression report: migration 0018 widens
`invitations` and keeps every row; whole bot against the emulator, a coordinator grants the
reader role to someone who never opened the bot, passes on the link, the person opens it, is
welcomed to /progression and reads it; a used or out-of-date link gets a kind line and grants
nothing more."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import Clock
from emulator import BotApiEmulator
from storage.db import known_migrations, open_database
from tests.consultations.world import CASEY, DAYTIME, seed, start_bot
from tests.old_databases import database_at_version
from tests.reach.test_invitation_flow import count, sent, text_of, token_in

pytestmark = pytest.mark.timeout(120)

ROBIN = 900_000_401  # a trustee made a reader before they ever opened the bot

ROWS = [  # id, token hash, who, role, made by, made, ends, used, notice
    (1, "h1", 501, "coordinator", CASEY, "2026-11-01T10:00:00Z", "2026-11-15T10:00:00Z",
     "2026-11-02T09:00:00Z", 1),
    (2, "h2", 502, "decision_maker", CASEY, "2026-11-03T10:00:00Z", "2026-11-17T10:00:00Z",
     None, None),
    (4, "h4", 503, "decision_maker", None, "2026-11-05T10:00:00Z", "2026-11-19T10:00:00Z",
     None, None),
]  # fmt: skip


async def test_migration_18_keeps_every_invitation_and_lets_readers_have_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forum.db"
    database_at_version(path, 17)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO broadcasts (id, kind, created_at, text_html, total) "
            "VALUES (1, 'invitation_used', '2026-11-02T09:00:00Z', 'x', 1)"
        )
        conn.executemany(
            "INSERT INTO invitations (id, token_hash, telegram_id, role, created_by, "
            "created_at, expires_at, used_at, notice_broadcast_id) VALUES (?,?,?,?,?,?,?,?,?)",
            [*ROWS, (5, "h5", 504, "coordinator", CASEY, "x", "y", None, None)],
        )
        conn.execute("DELETE FROM invitations WHERE id = 5")  # the newest was erased
        with pytest.raises(sqlite3.IntegrityError):  # before 0018: no link for a reader
            conn.execute(
                "INSERT INTO invitations (token_hash, telegram_id, role, created_at, "
                "expires_at) VALUES ('r', 505, 'reader', 'x', 'y')"
            )
    conn.close()

    database = await open_database(path)
    try:
        assert await database.schema_version() == len(known_migrations())
        rows = await database.fetch_all(
            "SELECT id, token_hash, telegram_id, role, created_by, created_at, expires_at, "
            "used_at, notice_broadcast_id FROM invitations ORDER BY id"
        )
        assert [tuple(row) for row in rows] == ROWS
        indexes = {
            row["name"]
            for row in await database.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invitations'"
                " AND sql IS NOT NULL"
            )
        }
        assert indexes == {"invitations_by_person", "invitations_by_creator"}
        tables = await database.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert "invitations_new" not in {row["name"] for row in tables}

        # A reader's link can be kept now; an id is never given out twice.
        new_id = await database.insert(
            "INSERT INTO invitations (token_hash, telegram_id, role, created_at, expires_at) "
            "VALUES ('r', 505, 'reader', 'x', 'y')"
        )
        assert new_id == 6
        with pytest.raises(sqlite3.IntegrityError):  # any other word is still refused
            await database.insert(
                "INSERT INTO invitations (token_hash, telegram_id, role, created_at, "
                "expires_at) VALUES ('z', 506, 'member', 'x', 'y')"
            )
        # The foreign key still holds: the notice erased, the link keeps no trace of it.
        await database.execute("DELETE FROM broadcasts WHERE id = 1")
        assert (
            await database.fetch_value("SELECT notice_broadcast_id FROM invitations WHERE id = 1")
            is None
        )
        assert await database.fetch_value("PRAGMA foreign_key_check(invitations)") is None
    finally:
        await database.close()


async def test_a_reader_who_never_opened_the_bot_opens_the_link_and_reads_the_report(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        await seed(bot)
        emu.add_user(ROBIN, "Robin")  # has never opened the bot

        # Before: Robin is not allowed to read the report.
        granted = await bot.say(CASEY, f"/grant {ROBIN} reader")
        assert f"{ROBIN} is now a reader" in granted.text
        assert "/progression" in granted.text
        assert "It works once, for 14 days" in granted.text
        assert "send it /start first" not in granted.text
        token = token_in(granted)
        row = await bot.services.db.fetch_one("SELECT telegram_id, role FROM invitations")
        assert tuple(row) == (ROBIN, "reader")

        # Robin opens the link: a welcome that fits a reader, pointing at /progression.
        await emu.send_text(ROBIN, f"/start {token}")
        welcome = await emu.wait_for_message(ROBIN, lambda m: "Welcome" in text_of(m), timeout=10)
        assert "progression report" in welcome.text
        assert "/progression" in welcome.text
        assert "decision-maker" not in welcome.text
        assert "/results" not in welcome.text
        told = await emu.wait_for_message(
            CASEY, lambda m: "opened the link you sent" in text_of(m), timeout=10
        )
        assert "Robin opened the link you sent" in told.text
        assert "They are a reader" in told.text
        # Their menu shows the report now, without a restart.
        assert "progression" in emu.commands_for(f"chat:{ROBIN}")

        # They read it: the report, the chart and the file for a spreadsheet.
        report = await bot.say(ROBIN, "/progression")
        assert "How members are moving on" in report.text
        assert (await bot.next(ROBIN)).photo is not None
        assert (await bot.next(ROBIN)).document is not None

        # The link again: all set, nothing sent twice, Casey not told again.
        again = await bot.say(ROBIN, f"/start {token}")
        assert "used this link already" in again.text
        await bot.next(ROBIN)  # then the normal start
        await asyncio.sleep(1.5)
        assert count(emu, ROBIN, "Welcome. You can now read") == 1
        assert count(emu, CASEY, "opened the link you sent") == 1

        # Able to be reached now: a second grant gives no link.
        third = await bot.say(CASEY, f"/grant {ROBIN} reader")
        assert "is already a reader" in third.text
        assert "t.me/" not in third.text


async def test_a_readers_link_out_of_date_gets_a_kind_line_and_grants_nothing_more(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(DAYTIME)
    async with start_bot(tmp_path, emu, clock) as bot:
        emu.add_user(ROBIN, "Robin")
        token = token_in(await bot.say(CASEY, f"/grant {ROBIN} reader"))
        clock.advance(timedelta(days=14, seconds=1))

        kind = await bot.say(ROBIN, f"/start {token}")
        assert "out of date" in kind.text
        assert "ask the coordinator who sent it for a new one" in kind.text
        normal = await bot.next(ROBIN)
        assert "welcome to the National Service User Forum" in normal.text

        await asyncio.sleep(1.5)
        assert count(emu, ROBIN, "Welcome. You can now read") == 0
        assert count(emu, CASEY, "opened the link") == 0
        assert not any("/progression" in text_of(m) for m in sent(emu, ROBIN))
        used = await bot.services.db.fetch_value(
            "SELECT COUNT(*) FROM invitations WHERE used_at IS NOT NULL"
        )
        assert used == 0
