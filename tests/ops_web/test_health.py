"""GET /healthz: 200 with the database, last update, outbox and last backup when all is well;
503 naming what is wrong when anything is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_application
from bot.clock import Clock
from bot.lifecycle import running
from bot.ops import health
from emulator.emulator import BotApiEmulator
from tests.conftest import START
from tests.ops_web.conftest import WebhookBot, bot_settings, free_port, get_json, webhook_bot

ALEX = 700_000_201


def write_backup(folder: Path, hours_old: float) -> Path:
    """A backup of forum.db taken ``hours_old`` hours ago, named as the bot names them."""
    folder.mkdir(parents=True, exist_ok=True)
    taken = datetime.now(UTC) - timedelta(hours=hours_old)
    path = folder / f"forum-{taken.strftime('%Y-%m-%dT%H%M%SZ')}.db"
    path.write_bytes(b"backup")
    return path


async def test_a_well_bot_answers_200_with_every_part(hooked: WebhookBot) -> None:
    write_backup(hooked.settings.backup_dir, hours_old=1)
    hooked.emu.add_user(ALEX, "Alex")
    await hooked.emu.send_text(ALEX, "/start")
    await hooked.emu.wait_for_message(ALEX)

    status, body = await hooked.healthz()

    assert status == 200
    assert body["ok"] is True
    assert body["database"] == {"ok": True}
    assert body["last_update"]["ok"] is True and body["last_update"]["at"] is not None
    assert body["outbox"]["ok"] is True and body["outbox"]["backlog"] >= 0
    assert body["backup"]["ok"] is True and body["backup"]["age_hours"] == pytest.approx(1, 0.1)


async def test_a_new_bot_with_no_backup_yet_is_well(hooked: WebhookBot) -> None:
    status, body = await hooked.healthz()
    assert status == 200
    assert body["backup"] == {"ok": True, "last_at": None}
    assert body["last_update"] == {"ok": True, "at": None}


async def test_a_backup_two_days_old_is_503(hooked: WebhookBot) -> None:
    write_backup(hooked.settings.backup_dir, hours_old=49)  # BACKUP_EVERY_HOURS is 24
    status, body = await hooked.healthz()
    assert status == 503
    assert body["ok"] is False
    assert body["backup"]["ok"] is False
    assert body["backup"]["problem"] == "the newest backup is 49 hours old"
    assert body["database"]["ok"] and body["outbox"]["ok"]  # only what is wrong is named


async def test_no_backup_a_day_after_start_is_503(tmp_path: Path, emu: BotApiEmulator) -> None:
    clock = Clock(START)
    async with webhook_bot(tmp_path, emu, clock=clock) as hooked:
        clock.advance(timedelta(hours=26))
        status, body = await hooked.healthz()
    assert status == 503
    assert body["backup"] == {
        "ok": False,
        "last_at": None,
        "problem": f"no backup in {tmp_path / 'backups'}",
    }


async def test_a_message_waiting_too_long_to_be_sent_is_503(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    clock = Clock(START)  # 14:30 in London: not quiet hours
    async with webhook_bot(tmp_path, emu, clock=clock) as hooked:
        services = hooked.app.bot_data["services"]
        await services.delivery.stop()  # the sender is stuck
        await services.delivery.enqueue("broadcast", "Hello", [ALEX, ALEX + 1], urgent=True)
        clock.advance(timedelta(minutes=10))
        status, body = await hooked.healthz()
        assert status == 200
        assert body["outbox"] == {"ok": True, "backlog": 2, "oldest_pending_seconds": 600}

        clock.advance(timedelta(minutes=6))
        status, body = await hooked.healthz()
    assert status == 503
    assert body["outbox"] == {
        "ok": False,
        "backlog": 2,
        "oldest_pending_seconds": 960,
        "problem": "a message has waited 16 minutes to be sent",
    }


async def test_messages_held_overnight_by_quiet_hours_are_not_late(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    # 22:00 in London: quiet hours (21:00 to 08:00). A message to many waits for the morning.
    clock = Clock(START.replace(hour=22, minute=0))
    async with webhook_bot(tmp_path, emu, clock=clock) as hooked:
        services = hooked.app.bot_data["services"]
        await services.delivery.stop()
        await services.delivery.enqueue("broadcast", "News", [ALEX])
        clock.advance(timedelta(hours=2))  # midnight: still quiet, not waiting
        assert (await hooked.healthz())[0] == 200
        clock.advance(timedelta(hours=8, minutes=5))  # 08:05: sendable for five minutes
        status, body = await hooked.healthz()
        assert (status, body["outbox"]["oldest_pending_seconds"]) == (200, 300)
        clock.advance(timedelta(minutes=15))
        status, body = await hooked.healthz()
    assert status == 503
    assert body["outbox"]["problem"] == "a message has waited 20 minutes to be sent"


async def test_a_database_that_does_not_answer_is_503(
    hooked: WebhookBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "DATABASE_TIMEOUT", 0.2)
    services = hooked.app.bot_data["services"]
    async with services.db.transaction():  # a long write holds the database
        status, body = await hooked.healthz()
    assert status == 503
    assert body["database"] == {
        "ok": False,
        "problem": "the database did not answer within 0.2 s",
    }
    assert body["outbox"]["ok"] is False
    assert (await hooked.healthz())[0] == 200  # well again once it answers


async def test_polling_mode_serves_healthz_on_health_port(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    port = free_port()
    settings = bot_settings(tmp_path, emu, health_port=port)
    app = await build_application(settings)
    async with running(app, settings):
        emu.add_user(ALEX, "Alex")
        await emu.send_text(ALEX, "/start")
        await emu.wait_for_message(ALEX)
        status, body = await get_json(f"http://127.0.0.1:{port}/healthz")
    assert status == 200
    assert body["ok"] is True
    assert body["last_update"]["at"] is not None
    assert emu.webhook is None and emu.count("getUpdates") >= 1
