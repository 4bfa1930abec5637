"""`make bench`: the delivery engine's figures on this machine, then one line of JSON.

BENCH_RECIPIENTS (default 5000) sets the broadcast size. Phases:
1. the real bot (engine at 30/s) broadcasts through an emulator enforcing 30/s, while members
   press a button; 2. the same with the emulator's limits lifted and the engine uncapped;
3. a plain sequential PTB send loop; 4. meeting reminders for BENCH_REMINDER_MEMBERS (default
1000) members due in the same minute; 5. consultation voting: BENCH_VOTERS (default 2000)
members each press an answer button once within about two seconds, and the count of a
consultation with 10,000 answers, on a bot and an emulator of their own (run after phase 6);
6. PTB's AIORateLimiter against the engine's limiter; 7. the crisis net's matching time for a
long message and hostile texts against it, and its figures on the locked evaluation messages
(crisis_recall, crisis_false_alarm_rate).
8. backups: one of a forum of 10,000 members and 100,000 answers (backup_ms), and a rush of
votes while backups run (vote_p99_ms_during_backup), on a bot and an emulator of their own.
9. surveys: BENCH_SURVEY_MEMBERS (default 1000) members answer a 10-question survey within 20
seconds through the bot as a process of its own, then the same with the bot killed (SIGKILL)
half way and started again (benchmarks/surveys.py).
10. progression: the progression report for 10,000 members and 50,000 opportunity outcomes
(progression_report_ms, at most 200; benchmarks/progression.py).
11. group chats: a meeting notice for each of the 10 hubs to its members (BENCH_GROUP_MEMBERS,
default 2,000 in all) and its linked hub group, while one group gets 25 more posts at once
(group_over_limit, group_posts_duplicated: both 0; benchmarks/group_posts.py).
BENCH_ONLY=votes runs only phase 5 (no broadcast members are set up); BENCH_ONLY=crisis only 7;
BENCH_ONLY=backup only 8; BENCH_ONLY=surveys only 9; BENCH_ONLY=progression only 10;
BENCH_ONLY=groups only 11.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from telegram.ext import Application

from benchmarks.backup import run_backup_ms, run_votes_during_backup
from benchmarks.broadcast import run_broadcast, uncapped_engine
from benchmarks.crisis import run_crisis
from benchmarks.group_posts import add_hub_members, run_group_posts
from benchmarks.limiters import compare
from benchmarks.naive import naive_per_second
from benchmarks.presses import Pressers, percentile
from benchmarks.progression import run_progression
from benchmarks.reminders import run_reminders
from benchmarks.surveys import run_surveys
from benchmarks.votes import run_votes
from bot.app import build_application
from bot.clock import Clock
from bot.lifecycle import polling
from config.settings import Settings
from emulator.process import EmulatorProcess
from storage.members import MemberRepository

TOKEN = "424242:BENCH-token-abcdefghijklmnopqrstu"
LIMIT = 30
FIRST = 800_000_001
PRESSERS = list(range(790_000_001, 790_000_005))
FIRST_VOTER = 810_000_001


def line(text: str) -> None:
    """One readable line of output."""
    print(text, flush=True)


def voters() -> list[int]:
    """The members who vote in phase 5."""
    return list(range(FIRST_VOTER, FIRST_VOTER + int(os.environ.get("BENCH_VOTERS", "2000"))))


def vote_lines(votes: dict) -> None:
    """The readable lines of the voting phase."""
    line(
        f"votes: {votes['votes_recorded']} of {votes['vote_voters']} members recorded as "
        f"answered (presses over {votes['vote_press_seconds']:.2f} s, counts "
        f"{votes['vote_counts']}), {votes['vote_answered']} answered in time, "
        f"{votes['vote_too_old']} too late, {votes['vote_answers_per_s']} answers a second; "
        f"press to answer p50 {votes['vote_p50_ms']} ms, p99 {votes['vote_p99_ms']} ms, "
        f"max {votes['vote_max_ms']} ms; the bot's CPU {votes['vote_bot_cpu_ms_per_answer']} ms "
        "an answer"
    )
    line(f"votes: bot calls {votes['vote_bot_calls']}, refused {votes['vote_bot_call_failures']}")
    line(
        f"tally: {votes['tally_answers']} answers of {votes['tally_invited']} asked, tally and "
        f"protect {votes['tally_ms']:.2f} ms (SQL {votes['tally_sql_ms']:.2f}, protect "
        f"{votes['tally_protect_ms']:.2f}), SELECT COUNT(*) {votes['tally_count_ms']:.3f} ms, "
        f"ratio {votes['tally_vs_count_ratio']}; {votes['tally_figures_withheld']} figures "
        "withheld"
    )


def bench_settings(emu: EmulatorProcess) -> Settings:
    """The bot's settings against the emulator, in a new temporary database (``bench_bot``
    removes its folder)."""
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        bot_api_base_url=emu.base_url,
        bot_api_base_file_url=emu.root + "/file/bot",
        database_path=Path(tempfile.mkdtemp(prefix="bench-db-")) / "forum.db",
        quiet_hours_start=0,
        quiet_hours_end=0,
        delivery_rate_per_second=LIMIT,
    )


@asynccontextmanager
async def bench_bot(
    prepare: Callable[[EmulatorProcess, Application], Awaitable[None]] | None = None,
) -> AsyncIterator[tuple[Application, EmulatorProcess]]:
    """An emulator process and the real bot on it (a new temporary database), polling as
    `python -m bot` does once ``prepare`` has run; afterwards the bot stops in PTB's order,
    its database folder is removed and the emulator stops."""
    emu = await EmulatorProcess().start()
    folder = None
    try:
        app = await build_application(bench_settings(emu), clock=Clock())
        folder = app.bot_data["services"].settings.database_path.parent
        if prepare is not None:
            await prepare(emu, app)
        async with polling(app, poll_timeout=1):
            yield app, emu
    finally:
        if folder is not None:
            await asyncio.to_thread(shutil.rmtree, folder, True)
        await emu.stop()


async def votes_only() -> dict:
    """BENCH_ONLY=votes: only the voting phase."""
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    return await votes_phase()


async def votes_phase() -> dict:
    """Phase 5, on a bot and an emulator of its own with no other members: the earlier phases'
    figures and logs, held in this process, are not the bot's and should not weigh on it."""
    async with bench_bot() as (app, emu):
        line(f"votes: {len(voters())} members press an answer within about 2 s ...")
        votes = await run_votes(app, emu, TOKEN, voters())
        vote_lines(votes)
    return votes


async def main() -> dict:
    """Run every phase; return the figures."""
    count = int(os.environ.get("BENCH_RECIPIENTS", "5000"))
    recipients = list(range(FIRST, FIRST + count))
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")

    async def members_in(emu: EmulatorProcess, app: Application) -> None:
        """Every recipient started in the emulator and a member in the database."""
        line(f"setting up {count} members in the emulator and the database")
        await emu.add_started_users(recipients, TOKEN)
        services = app.bot_data["services"]
        members = MemberRepository(services.db)
        for member_id in recipients:
            await members.add(member_id, "Member", services.clock.now())

    async with bench_bot(members_in) as (app, emu):
        services = app.bot_data["services"]
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
    votes = await votes_phase()
    backups = await backup_phase()
    surveys = await surveys_phase()
    progression = await progression_phase()
    groups = await groups_phase()
    press_p99 = max(
        percentile(capped.press_latencies_ms, 0.99), percentile(uncapped.press_latencies_ms, 0.99)
    )
    return (
        {
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
        | votes
        | backups
        | surveys
        | progression
        | groups
        | crisis_phase()
    )


async def backup_only() -> dict:
    """BENCH_ONLY=backup: only the backup phase."""
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    return await backup_phase()


async def backup_phase() -> dict:
    """Phase 8: how long a backup takes, then votes while backups run, on a bot of its own."""
    figures = await run_backup_ms()
    line(
        f"backup: {figures['backup_members']:,} members and {figures['backup_answers']:,} "
        f"answers ({figures['backup_db_mb']} MB): a backup takes {figures['backup_ms']} ms, "
        f"{figures['backup_encrypted_ms']} ms encrypted"
    )
    async with bench_bot() as (app, emu):
        during = await run_votes_during_backup(app, emu, TOKEN)
        line(
            f"backup: {during['votes_voters_during_backup']} votes in rushes while "
            f"{during['backups_during_votes']} backups ran: press to answer p99 "
            f"{during['vote_p99_ms_during_backup']} ms, median of "
            f"{during['vote_p99_ms_during_backup_runs']} (the same rushes without backups "
            f"{during['vote_p99_ms_same_run_without_backup']} ms, ratio "
            f"{during['vote_p99_backup_ratio']}); {during['votes_recorded_during_backup']} "
            "votes recorded"
        )
    return figures | during


async def surveys_only() -> dict:
    """BENCH_ONLY=surveys: only the survey phase."""
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    return await surveys_phase()


async def surveys_phase() -> dict:
    """Phase 9: a survey rush with the bot as a process, then one with the bot killed."""
    line("surveys: members answer a 10-question survey within 20 s ...")
    figures = await run_surveys()
    line(
        f"surveys: {figures['survey_answers_recorded']} answers recorded of "
        f"{figures['survey_presses']} presses ({figures['survey_members']} members, presses over "
        f"{figures['survey_press_seconds']:.2f} s), {figures['survey_finished']} finished; press "
        f"to answer p50 {figures['survey_answer_p50_ms']} ms, p99 "
        f"{figures['survey_answer_p99_ms']} ms, max {figures['survey_answer_max_ms']} ms, "
        f"{figures['survey_too_old']} too late; the bot's CPU "
        f"{figures['survey_bot_cpu_ms_per_answer']} ms an answer"
    )
    line(
        f"surveys: bot calls {figures['survey_bot_calls']}, refused "
        f"{figures['survey_bot_call_failures']}"
    )
    line(
        f"surveys, killed half way: {figures['survey_resume_answers_at_kill']} answers kept at "
        f"the kill, down {figures['survey_resume_down_s']} s (start-up "
        f"{figures['survey_resume_restart_s']} s), {figures['survey_resume_presses_unanswered']} "
        f"presses never answered; {figures['survey_resume_carried_on']} members carried on; "
        f"{figures['survey_resume_recorded']} answers at the end, "
        f"{figures['survey_resume_finished']} finished, {figures['survey_resume_lost']} lost, "
        f"{figures['survey_resume_stuck']} cannot carry on"
    )
    return figures


async def groups_phase() -> dict:
    """Phase 11: hub meeting notices to members and linked hub groups, at Telegram's limits."""
    line("group chats: a meeting notice for each hub, to its members and its group ...")

    async def members(emu: EmulatorProcess, app: Application) -> None:
        """The hubs' members, before the bot polls (their /start updates are dropped)."""
        await add_hub_members(emu, app, TOKEN)

    async with bench_bot(members) as (app, emu):
        figures = await run_group_posts(emu, app)
    line(
        f"group chats: {figures['group_members_reached']} of {figures['group_members']} members "
        f"reached; {figures['group_posts_delivered']} of {figures['group_posts_expected']} group "
        f"posts, {figures['group_posts_duplicated']} twice, {figures['group_posts_lost']} lost, "
        f"{figures['group_over_limit']} refused for going over 20 a minute; the busiest group's "
        f"{figures['group_busiest_posts']} posts took {figures['group_busiest_seconds']} s, all "
        f"{figures['group_all_seconds']} s"
    )
    return figures


async def groups_only() -> dict:
    """BENCH_ONLY=groups: only the group chats phase."""
    line(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {sys.platform}")
    return await groups_phase()


async def progression_phase() -> dict:
    """Phase 10: the progression report on a forum of 10,000 members (no bot, no emulator)."""
    figures = await run_progression()
    line(
        f"progression: the report for {figures['progression_members']:,} members and "
        f"{figures['progression_outcomes']:,} outcomes takes {figures['progression_report_ms']}"
        f" ms (median; CPU {figures['progression_report_cpu_ms']} ms, slowest "
        f"{figures['progression_report_max_ms']} ms)"
    )
    return figures


def crisis_phase() -> dict:
    """Phase 7: crisis matching (pure CPU, no emulator)."""
    crisis = run_crisis()
    line(
        f"crisis: a 4,096-character message checked in {crisis['crisis_match_ms']} ms, a short "
        f"one the sentence model reads in {crisis['crisis_short_ms']} ms; the "
        f"slowest hostile text ({crisis['crisis_hostile_worst']}) takes "
        f"{crisis['crisis_hostile_ratio_max']} times as long"
    )
    line(
        f"crisis net on the locked evaluation messages: crisis recall {crisis['crisis_recall']}, "
        f"false alarms {crisis['crisis_false_alarm_rate']}, distress answered "
        f"{crisis['crisis_concern_recall']}, reply fits the kind {crisis['crisis_kind_accuracy']}"
    )
    return crisis


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    only = os.environ.get("BENCH_ONLY", "")
    if only == "crisis":
        result = crisis_phase()
    else:
        phase = {
            "votes": votes_only,
            "backup": backup_only,
            "surveys": surveys_only,
            "progression": progression_phase,
            "groups": groups_only,
        }.get(only, main)
        result = asyncio.run(phase())
    print(json.dumps(result), flush=True)
