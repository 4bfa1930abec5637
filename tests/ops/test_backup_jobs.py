"""The bot's own backups: taken when due, the newest BACKUP_KEEP kept, and a failure told to
every coordinator in Telegram, through the delivery engine, at most once a day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.ops.backup import NO_DATABASE, OTHER, BackupError, backup_in_process, list_backups
from bot.ops.backup_jobs import KEEPER, KIND_FAILED, BackupKeeper
from bot.ops.encryption import decrypt
from bot.services.registry import Services
from config.settings import Settings
from emulator.emulator import BotApiEmulator
from storage.backup import check_image
from tests.conftest import START
from tests.e2e.harness import running_bot
from tests.ops.conftest import CASEY, KEY, join, settings_for

ALEX = 900_000_102  # a second coordinator


def keeper_for(services: Services) -> BackupKeeper:
    """The keeper as bot/ops/backup_jobs.py builds it."""
    return BackupKeeper(
        services.settings,
        services.db,
        services.delivery,
        services.roles,
        services.texts,
        services.clock,
    )


async def notices(services: Services) -> list[tuple[int, str, list[int]]]:
    """Every backup failure notice queued: its id, text and recipients."""
    found = []
    for row in await services.db.fetch_all(
        "SELECT id, text_html FROM broadcasts WHERE kind = ? ORDER BY id", (KIND_FAILED,)
    ):
        recipients = await services.db.fetch_all(
            "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
            (row["id"],),
        )
        found.append((row["id"], row["text_html"], [r[0] for r in recipients]))
    return found


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[Services]:
    """The services with BACKUP_DIR pointing at a file, so every backup fails."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    settings = settings_for(tmp_path, coordinator_ids=[CASEY, ALEX], backup_dir=blocked)
    services = await build_services(settings, Clock(START))
    try:
        yield services
    finally:
        await services.db.close()


async def test_a_failed_backup_tells_every_coordinator_once_a_day(broken: Services) -> None:
    keeper = keeper_for(broken)

    assert await keeper.back_up() is None

    ((_, text, recipients),) = await notices(broken)
    assert recipients == [CASEY, ALEX]
    assert "could not make its backup" in text
    assert "not allowed to write to its backup folder" in text
    # It fails again later the same day: nobody is told twice.
    broken.clock.advance(timedelta(hours=23))
    assert await keeper.back_up() is None
    assert len(await notices(broken)) == 1
    # A day after the first notice, it is said again.
    broken.clock.advance(timedelta(hours=1))
    assert await keeper.back_up() is None
    assert len(await notices(broken)) == 2


async def test_after_a_failure_the_next_try_waits_an_hour(broken: Services) -> None:
    keeper = keeper_for(broken)
    assert await keeper.check() is None  # due (no backup yet), tried, failed

    broken.clock.advance(timedelta(minutes=50))
    assert await keeper.check() is None

    assert len(await notices(broken)) == 1
    # Fixed: the next check after the hour takes it, and no notice follows.
    broken.settings.backup_dir.unlink()
    broken.clock.advance(timedelta(minutes=10))
    taken = await keeper.check()
    assert taken is not None and taken.path.exists()
    assert len(await notices(broken)) == 1


async def test_backups_are_taken_every_backup_every_hours_and_kept_to_backup_keep(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, backup_every_hours=6, backup_keep=3)
    services = await build_services(settings, Clock(START))
    try:
        await join(services, 710_000_001)
        keeper = keeper_for(services)
        taken = []
        for _ in range(5 * 6 * 2):  # five six-hour periods, checked every half hour
            backup = await keeper.check()
            if backup is not None:
                taken.append(backup)
            services.clock.advance(timedelta(minutes=30))
    finally:
        await services.db.close()

    assert [b.taken_at - START for b in taken] == [timedelta(hours=6 * n) for n in range(5)]
    kept = list_backups(settings.backup_dir, "forum")
    assert [b.path for b in kept] == [b.path for b in taken[-3:]]
    assert await notices_in(settings) == 0


async def notices_in(settings) -> int:
    """How many failure notices a closed database holds."""
    services = await build_services(settings, Clock(START))
    try:
        return len(await notices(services))
    finally:
        await services.db.close()


async def test_no_coordinator_means_no_notice_and_no_crash(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file")
    settings = settings_for(tmp_path, coordinator_ids=[], backup_dir=blocked)
    services = await build_services(settings, Clock(START))
    try:
        assert await keeper_for(services).back_up() is None
        assert await notices(services) == []
    finally:
        await services.db.close()


async def test_a_coordinator_reads_the_failure_in_telegram(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file")
    async with BotApiEmulator() as emu:
        emu.add_user(CASEY, "Casey")
        emu.chat(CASEY).started = True
        async with running_bot(
            tmp_path,
            emu,
            coordinator_ids=[CASEY],
            backup_dir=blocked,
            quiet_hours_start=0,
            quiet_hours_end=0,
        ) as bot:
            keeper = bot.app.bot_data[KEEPER]
            assert bot.app.job_queue.get_jobs_by_name("backups")  # armed at start

            await keeper.back_up()

            message = await emu.wait_for_message(
                CASEY, lambda m: "could not make its backup" in (m.text or ""), timeout=10
            )
            assert "The bot is not allowed to write to its backup folder." in message.text
            assert "tell the person who looks after the bot's server" in message.text


async def test_the_bots_backups_are_made_in_a_process_of_their_own(
    services: Services, settings: Settings
) -> None:
    await join(services, 710_000_001)

    taken = await backup_in_process(
        settings.database_path, settings.backup_dir, key=KEY, at=START, label="test"
    )

    assert taken.encrypted and taken.path.name == "forum-2026-12-10T143000Z-test.db.enc"
    assert check_image(decrypt(taken.path.read_bytes(), KEY)) >= 1
    with pytest.raises(BackupError) as refused:
        await backup_in_process(
            settings.database_path.with_name("missing.db"), settings.backup_dir, key=None, at=START
        )
    assert refused.value.reason == NO_DATABASE
    # A backup process that dies is a failure said plainly, with nothing left behind.
    with pytest.raises(BackupError) as died:
        await backup_in_process(
            settings.database_path,
            settings.backup_dir,
            key=12345,
            at=START,  # type: ignore[arg-type]
        )
    assert died.value.reason == OTHER
    assert "stopped unexpectedly (exit 1" in str(died.value)
    assert len(list_backups(settings.backup_dir, "forum")) == 1
