"""`make bench`: the delivery engine's figures on this machine, then one line of JSON.

BENCH_RECIPIENTS (default 5000) sets the broadcast size. Phases:
1. the real bot (engine at 30/s) broadcasts through an emulator enforcing 30/s, while members
   press a button; 2. the same with the emulator's limits lifted and the engine uncapped;
3. a plain sequential PTB send loop; 4. meeting reminders for BENCH_REMINDER_MEMBERS (default
1000) members due in the same minute; 5. PTB's AIORateLimiter against the engine's limiter.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
from pathlib import Path

from benchmarks.broadcast import run_broadcast, uncapped_engine
from benchmarks.emulator_process import EmulatorProcess
from benchmarks.limiters import compare
from benchmarks.naive import naive_per_second
from benchmarks.presses import Pressers, percentile
from benchmarks.reminders import run_reminders
from bot.app import build_application
from bot.clock import Clock
from config.settings import Settings
from storage.members import MemberRepository

TOKEN = "424242:BENCH-token-abcdefghijklmnopqrstu"
LIMIT = 30
FIRST = 800_000_001
PRESSERS = list(range(790_000_001, 790_000_005))


def line(text: str) -> None:
    """One readable line of output."""
    print(text, flush=True)


async def main() -> dict:
    """Run every phase; return the figures."""
    count = int(os.environ.get("BENCH_RECIPIENTS", "5000"))
    recipients = list(range(FIRST, FIRST + count))
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    emu = await EmulatorProcess().start()
    app = None
    try:
        line(f"setting up {count} members in the emulator and the database")
        await emu.add_started_users(recipients, TOKEN)
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            bot_api_base_url=emu.base_url,
            bot_api_base_file_url=emu.root + "/file/bot",
            database_path=Path(tempfile.mkdtemp(prefix="bench-db-")) / "forum.db",
            quiet_hours_start=0,
            quiet_hours_end=0,
            delivery_rate_per_second=LIMIT,
        )
        app = await build_application(settings, clock=Clock())
        services = app.bot_data["services"]
        members = MemberRepository(services.db)
        for member_id in recipients:
            await members.add(member_id, "Member", services.clock.now())
        await app.initialize()
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        pressers = Pressers(emu, PRESSERS)
        await pressers.prepare()
        idle = await pressers.press_for(5.0, every=0.25)
        line(f"idle bot: button press to answer p99 {percentile(idle, 0.99):.1f} ms")

        await emu.control("POST", "/limits", {"enabled": True, "global_per_second": LIMIT})
        line(f"capped: {count} recipients, emulator and engine both at {LIMIT}/s ...")
        capped = await run_broadcast(
            emu, services.delivery, recipients, "Bench: capped broadcast", pressers, 0.25
        )
        line(
            f"capped: {capped.per_second:.2f}/s in {capped.seconds:.1f} s "
            f"(ratio {capped.per_second / LIMIT:.3f}), 429s {capped.over_limit}, "
            f"duplicates {capped.duplicates}, lost {capped.lost}"
        )
        line(
            f"capped: button press to answer p99 {percentile(capped.press_latencies_ms, 0.99):.1f}"
            f" ms over {len(capped.press_latencies_ms)} presses"
        )

        await emu.control("POST", "/limits", {"enabled": False})
        fast = await uncapped_engine(app)
        try:
            uncapped = await run_broadcast(
                emu, fast, recipients, "Bench: uncapped broadcast", pressers, 0.1
            )
        finally:
            await fast.stop()
        line(
            f"uncapped engine: {uncapped.per_second:.0f}/s, duplicates {uncapped.duplicates}, "
            f"lost {uncapped.lost}; button press p99 "
            f"{percentile(uncapped.press_latencies_ms, 0.99):.1f} ms over "
            f"{len(uncapped.press_latencies_ms)} presses"
        )
        naive = await naive_per_second(emu.base_url, TOKEN, recipients, "Bench: naive loop")
        line(f"naive sequential PTB send_message loop: {naive:.0f}/s")

        reminder_members = int(os.environ.get("BENCH_REMINDER_MEMBERS", "1000"))
        line(f"reminders: {reminder_members} members with reminders due in one minute ...")
        reminders = await run_reminders(app, recipients[:reminder_members])
        line(
            f"reminders: {reminders.reminders} reminders, due to queued p99 "
            f"{percentile(reminders.latencies_ms, 0.99):.1f} ms over "
            f"{len(reminders.latencies_ms)} members, sent twice {reminders.sent_twice}"
        )

        for run in await compare(emu, TOKEN, recipients[:300]):
            reply = (
                "" if run.reply_wait_ms is None else f", a reply waited {run.reply_wait_ms:.0f} ms"
            )
            line(
                f"limiter {run.name}: {run.per_second:.1f}/s, 429s {run.over_limit}, "
                f"4 at once to one chat: {run.one_chat_over_limit} refused{reply}"
            )
    finally:
        if app is not None and app.running:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)
        await emu.stop()
    press_p99 = max(
        percentile(capped.press_latencies_ms, 0.99), percentile(uncapped.press_latencies_ms, 0.99)
    )
    return {
        "recipients": count,
        "limit_per_s": LIMIT,
        "achieved_per_s": round(capped.per_second, 2),
        "ratio": round(capped.per_second / LIMIT, 3),
        "over_limit_responses": capped.over_limit,
        "duplicates": capped.duplicates + uncapped.duplicates,
        "lost": capped.lost + uncapped.lost,
        "uncapped_per_s": round(uncapped.per_second, 1),
        "naive_per_s": round(naive, 1),
        "callback_p99_ms": round(press_p99, 1),
        "reminder_enqueue_p99_ms": round(percentile(reminders.latencies_ms, 0.99), 1),
        "reminders_sent_twice": reminders.sent_twice,
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(main())
    print(json.dumps(result), flush=True)
