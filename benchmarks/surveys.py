"""Surveys: BENCH_SURVEY_MEMBERS (default 1000) members answer a 10-question survey within 20
seconds, through the emulator and the real bot run as `python -m bot` in a process of its own.

Each rush is set up before the bot starts, in its own database and emulator: the members, a
survey opened from a file of ten button questions (five "choice", five "scale"; its invitations
are cancelled, as in the votes phase, rather than sent at 30 a second), every member past the
consent screen, and the first question with its real buttons put in each member's chat. Then
the emulator makes the presses itself at their moments (``forge=True``), question by question
for everyone, evenly over 20 seconds: 500 a second, each member's presses about 2 s apart, as
Telegram's servers pass members' presses on. Telegram's flood limits are on throughout.

- ``survey_answers_recorded``: answers in the database at the end (finished responses'
  answers); the goal is every press, 10,000.
- ``survey_answer_p99_ms``: the emulator's time of a press to its record of the bot's
  answerCallbackQuery (at most 250).
- ``survey_resume_lost``: a second rush on a new bot, database and emulator (a survey with
  names, so each answer can be followed), with the bot killed (SIGKILL) half way and started
  again at once; the presses made meanwhile wait in the emulator, as in Telegram. Answers the
  database held at the kill that it does not hold at the end. ``survey_resume_stuck``: members
  who could not finish when, after the rush, everyone not finished carries on as a person
  would ("Start" shows the question they are on; they answer from there).
  ``survey_resume_presses_unanswered``: presses never answered: mostly those the killed bot
  had read but not handled (the member's spinner runs out, nothing was saved, they press
  again: python-telegram-bot confirms a batch of updates to Telegram when it asks for the
  next, before handling them), and any answered after Telegram's 15 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.presses import percentile
from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, build_delivery
from bot.delivery.audience import EVERYONE
from bot.delivery.quiet import QuietHours
from bot.forum import load_forum
from bot.retention_policy import DEFAULT_POLICY
from bot.services.outreach import Outreach
from bot.services.roles import RoleService
from bot.services.surveys import SurveyDraft, SurveyService
from bot.services.surveys.messages import KIND_INVITE
from bot.services.surveys.records import QUESTION
from bot.texts import load_texts
from config.settings import CONFIG_DIR, Settings
from emulator.process import EmulatorProcess
from handlers.surveys import codes
from handlers.surveys.messages import SurveyMessageTexts
from handlers.surveys.views import SurveyViews
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.db import Database, open_database
from storage.members import MemberRepository
from storage.roles import RoleRepository
from storage.surveys import SurveyRepository
from storage.timefmt import to_db

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "424242:BENCH-survey-abcdefghijklmnopq"
ACTOR = 780_000_101  # the coordinator who opens the survey
FIRST_MEMBER = 830_000_001
FILE_KEY = "bench_ten"
QUESTIONS = 10
SPREAD_S = 20.0  # every press within this many seconds
READY = "The bot is running"
START_TIMEOUT_S = 120.0  # a loaded machine trains the crisis net slowly at start-up
SETTLE_TIMEOUT_S = 120.0
CHOICES = ("often", "once", "never")


def survey_file(anonymous: bool) -> str:
    """Ten button questions: choice and scale in turn, all required, no skip rules."""
    lines = [
        "title: Bench survey",
        "audience: forum",
        f"anonymous: {'yes' if anonymous else 'no'}",
        "consent:",
        "  purpose: To measure the bot.",
        "  who_runs: The bench.",
        "  who_sees: Nobody.",
        "  kept_for: Until the bench ends.",
        "questions:",
    ]
    for number in range(1, QUESTIONS + 1):
        lines += [f"  - id: q{number}", f"    text: Question {number}?"]
        if number % 2:
            lines += ["    kind: choice", "    options:"]
            lines += [f"      {option}: Answer {option}" for option in CHOICES]
        else:
            lines += ["    kind: scale", "    low_label: Low", "    high_label: High"]
    return "\n".join(lines) + "\n"


def press_data(survey_id: int, number: int, member_index: int) -> str:
    """The callback data of a member's answer to question ``number`` (1-based)."""
    if number % 2:
        value = CHOICES[(member_index + number) % len(CHOICES)]
    else:
        value = codes.scale_value(1 + (member_index + number) % 5)
    return codes.survey_data(codes.PRESS, survey_id, f"q{number}", value)


@dataclass
class Rush:
    """A prepared rush: its folder, database, survey, members and their messages."""

    folder: Path
    database: Path
    surveys_dir: Path
    survey_id: int
    members: list[int]
    messages: dict[int, int]


def settings_for(emu: EmulatorProcess, database: Path, surveys_dir: Path) -> Settings:
    """The bot's settings for this rush (the same as its process gets in its environment)."""
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        bot_api_base_url=emu.base_url,
        bot_api_base_file_url=emu.root + "/file/bot",
        database_path=database,
        surveys_dir=surveys_dir,
        quiet_hours_start=0,
        quiet_hours_end=0,
        coordinator_ids=str(ACTOR),
    )


def survey_service(settings: Settings, db: Database, clock: Clock) -> SurveyService:
    """The survey service as the composition root builds it (its engine only queues here)."""
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {ACTOR})
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    delivery = build_delivery(settings, db, clock)  # never started
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    outreach = Outreach(delivery, audiences, roles, audit, QuietHours(0, 0, settings.zone), clock)
    return SurveyService.sharing(
        outreach,
        db=db,
        surveys=SurveyRepository(db),
        messages=SurveyMessageTexts(load_texts(CONFIG_DIR / "texts"), settings.zone, forum),
        roles_repository=RoleRepository(db),
        members=MemberRepository(db),
        surveys_dir=settings.surveys_dir,
        answers_kept=DEFAULT_POLICY.survey_answers,
    )


async def prepare(emu: EmulatorProcess, members: list[int], anonymous: bool) -> Rush:
    """Members in a new database, the survey open, everyone past consent, and question 1
    with its buttons in each member's chat."""
    folder = Path(tempfile.mkdtemp(prefix="bench-survey-"))
    surveys_dir = folder / "surveys"
    surveys_dir.mkdir()
    (surveys_dir / f"{FILE_KEY}.yaml").write_text(survey_file(anonymous), encoding="utf-8")
    database = folder / "data" / "forum.db"
    database.parent.mkdir()
    settings = settings_for(emu, database, surveys_dir)
    clock = Clock()
    db = await open_database(database)
    try:
        now = clock.now()
        async with db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO members (telegram_id, first_name, consented_at, setup_done, "
                "updated_at) VALUES (?, 'Member', ?, 1, ?)",
                [(member, to_db(now), to_db(now)) for member in members],
            )
        service = survey_service(settings, db, clock)
        await service.roles.bootstrap()
        draft = SurveyDraft(FILE_KEY, Audience(EVERYONE), None, now + timedelta(days=2))
        survey = await service.create(ACTOR, draft)
        for row in await db.fetch_all(
            "SELECT id FROM broadcasts WHERE kind = ? AND state NOT IN ('done', 'cancelled')",
            (KIND_INVITE,),
        ):  # the figures are about answering: do not spend a minute sending them
            await service.delivery.cancel(row["id"])
        texts = load_texts(CONFIG_DIR / "texts")
        views = SurveyViews(texts, settings.zone, service.answers_kept)
        first = None
        for member in members:
            await service.begin(member, survey.id)
            first = await service.agree(member, survey.id)
        assert first is not None and first.state == QUESTION, first
        text, markup = views.position(first)
        markup_json = markup.to_dict() if markup is not None else None
    finally:
        await db.close()
    await emu.add_started_users(members, TOKEN)
    messages: dict[int, int] = {}

    async def place(member: int) -> None:
        """Question 1 with its buttons in one member's chat, as the bot shows it."""
        sent = await emu.bot_api(
            TOKEN,
            "sendMessage",
            {"chat_id": member, "text": text, "parse_mode": "HTML", "reply_markup": markup_json},
        )
        messages[member] = sent["result"]["message_id"]

    await emu.control("POST", "/limits", {"enabled": False})
    for start in range(0, len(members), 200):
        await asyncio.gather(*(place(m) for m in members[start : start + 200]))
    await emu.control("POST", "/limits", {"enabled": True, "global_per_second": 30})
    return Rush(folder, database, surveys_dir, survey.id, members, messages)


class BotRun:
    """`python -m bot` for a rush, its settings in its environment, its output in files."""

    def __init__(self, emu: EmulatorProcess, rush: Rush, name: str) -> None:
        self.out = rush.folder / f"{name}.out"
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(rush.folder),
            "PYTHONPATH": str(PROJECT_ROOT),
            "PTB_TIMEDELTA": "true",
            "BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": emu.base_url,
            "BOT_API_BASE_FILE_URL": emu.root + "/file/bot",
            "DATABASE_PATH": str(rush.database),
            "SURVEYS_DIR": str(rush.surveys_dir),
            "COORDINATOR_IDS": str(ACTOR),
            "QUIET_HOURS_START": "0",
            "QUIET_HOURS_END": "0",
        }
        self.workdir = rush.folder / name
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BotRun:
        """Start the process (in an empty folder, so no project .env is read)."""
        self.workdir.mkdir(exist_ok=True)
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    async def running(self) -> float:
        """Wait until it says it is running; the seconds that took."""
        assert self.proc is not None
        started = time.monotonic()
        while READY not in self.out.read_text(encoding="utf-8", errors="replace"):
            if self.proc.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
                raise RuntimeError(f"the bot did not start: {self.out.read_text()[-2000:]}")
            await asyncio.sleep(0.05)
        return time.monotonic() - started

    def errors(self) -> list[str]:
        """The lines the bot logged at WARNING or above (they never hold members' words)."""
        text = self.out.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if " WARNING " in line or " ERROR " in line]

    def cpu_seconds(self) -> float:
        """The process's CPU time so far (all its threads), from /proc."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def kill(self, sig: int = signal.SIGKILL) -> int:
        """Send ``sig`` and wait for the process to end; its exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        deadline = time.monotonic() + 15
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
            await asyncio.sleep(0.05)
        return self.proc.returncode


@asynccontextmanager
async def rush_world(
    members: list[int], anonymous: bool = True
) -> AsyncIterator[tuple[EmulatorProcess, Rush]]:
    """An emulator process and a prepared rush; both removed afterwards."""
    emu = await EmulatorProcess().start()
    rush = None
    try:
        rush = await prepare(emu, members, anonymous)
        yield emu, rush
    finally:
        await emu.stop()
        if rush is not None and not os.environ.get("BENCH_KEEP"):
            await asyncio.to_thread(shutil.rmtree, rush.folder, True)


def presses_for(rush: Rush) -> list[list[Any]]:
    """Every press of the rush: question 1 for everyone, then question 2, and so on."""
    return [
        [member, rush.messages[member], press_data(rush.survey_id, number, index)]
        for number in range(1, QUESTIONS + 1)
        for index, member in enumerate(rush.members)
    ]


def stored(rush: Rush) -> tuple[int, int, int]:
    """(answers in finished responses, answers in progress, members finished) in the
    database (read with its own connection; the bot may still run)."""
    with contextlib.closing(sqlite3.connect(rush.database, timeout=30)) as con:
        finished_answers = con.execute(
            "SELECT COUNT(*) FROM survey_answers a JOIN survey_responses r "
            "ON r.id = a.response_id WHERE r.survey_id = ?",
            (rush.survey_id,),
        ).fetchone()[0]
        partial = 0
        for (answers,) in con.execute(
            "SELECT answers FROM survey_progress WHERE survey_id = ?", (rush.survey_id,)
        ):
            partial += answers.count(":")  # question id -> answer, one colon each (JSON)
        done = con.execute(
            "SELECT COUNT(*) FROM survey_invites WHERE survey_id = ? AND finished = 1",
            (rush.survey_id,),
        ).fetchone()[0]
    return finished_answers, partial, done


async def answer_calls(emu: EmulatorProcess) -> int:
    """answerCallbackQuery calls the emulator has seen (any status)."""
    stats = await emu.control("GET", "/stats")
    return sum(stats["by_method"].get("answerCallbackQuery", {}).values())


async def settle(emu: EmulatorProcess, rush: Rush, presses: int) -> None:
    """Wait until the database holds an answer for every press and no update is pending, or
    until nothing has changed for a while (what is missing then counts as lost)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    last, still_since = None, time.monotonic()
    while time.monotonic() < deadline:
        stats = await emu.control("GET", "/stats")
        finished_answers, partial, _ = stored(rush)
        if finished_answers + partial >= presses and not stats["pending_updates"]:
            return
        now = (finished_answers, partial, stats["pending_updates"], stats["total"])
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since > 10:
            return
        await asyncio.sleep(0.2)


def ms(value: float) -> float | None:
    """Milliseconds rounded, or None for a press never answered (JSON has no infinity)."""
    return round(value, 1) if math.isfinite(value) else None


async def press_rush(emu: EmulatorProcess, rush: Rush) -> asyncio.Task[Any]:
    """Start the rush inside the emulator; the task ends when every press is made."""
    body = {"presses": presses_for(rush), "spread": SPREAD_S, "forge": True, "start_in": 0.5}
    return asyncio.create_task(emu.control("POST", "/press_buttons", body))


async def latencies(emu: EmulatorProcess, query_ids: list[str]) -> tuple[list[float], float]:
    """Press to answer of each press (ms; infinity when never answered in time), and the
    seconds from the first press to the last."""
    answers = await emu.control("GET", "/callback_answers")
    found = [
        (answers[qid]["time"] - answers[qid]["pressed"]) * 1000 if qid in answers else math.inf
        for qid in query_ids
    ]
    pressed = [answers[qid]["pressed"] for qid in query_ids if qid in answers]
    return found, (max(pressed) - min(pressed) if pressed else 0.0)


async def clean_rush(members: list[int]) -> dict:
    """The rush with the bot running throughout: answers recorded and press to answer."""
    async with rush_world(members) as (emu, rush):
        bot = BotRun(emu, rush, "bot").start()
        try:
            start_s = await bot.running()
            log_start = len(await emu.control("GET", "/requests"))
            cpu_before = bot.cpu_seconds()
            made = await (await press_rush(emu, rush))
            query_ids: list[str] = made["callback_query_ids"]
            await settle(emu, rush, len(query_ids))
            cpu_ms = (bot.cpu_seconds() - cpu_before) * 1000
            found, pressing_s = await latencies(emu, query_ids)
            log = await emu.control("GET", f"/requests?since={log_start}")
            finished_answers, partial, done = stored(rush)
            calls = Counter(entry["method"] for entry in log)
            refused = Counter(entry["method"] for entry in log if entry["status"] != 200)
            errors = bot.errors()
            assert await bot.kill(signal.SIGTERM) == 0, bot.out.read_text()[-2000:]
        finally:
            await bot.kill()
    answered = [value for value in found if math.isfinite(value)]
    return {
        "survey_members": len(members),
        "survey_presses": len(query_ids),
        "survey_press_seconds": round(pressing_s, 2),
        "survey_answers_recorded": finished_answers,
        "survey_answers_in_progress": partial,
        "survey_finished": done,
        "survey_answer_p50_ms": ms(percentile(found, 0.5)),
        "survey_answer_p99_ms": ms(percentile(found, 0.99)),
        "survey_answer_max_ms": ms(max(found)),
        "survey_too_old": len(found) - len(answered),
        "survey_bot_cpu_ms_per_answer": round(cpu_ms / max(len(answered), 1), 3),
        "survey_bot_start_s": round(start_s, 1),
        "survey_bot_calls": dict(sorted(calls.items())),
        "survey_bot_call_failures": dict(sorted(refused.items())),
        "survey_bot_warnings": len(errors),
        "survey_bot_warning_kinds": sorted({_kind(line) for line in errors})[:10],
    }


def _kind(line: str) -> str:
    """A logged line without its time and numbers, to group alike ones."""
    words = line.split(" ", 2)[-1] if line[:1].isdigit() else line
    return "".join("#" if c.isdigit() else c for c in words)[:160]


async def resume_rush(members: list[int]) -> dict:
    """The rush with the bot killed half way and started again at once; then everyone who
    has not finished carries on as a person would (Start, then the question shown)."""
    # Answers are kept under members' names here, so each one can be followed across the kill.
    async with rush_world(members, anonymous=False) as (emu, rush):
        first = BotRun(emu, rush, "first").start()
        second = BotRun(emu, rush, "second")
        try:
            await first.running()
            rush_task = await press_rush(emu, rush)
            await asyncio.sleep(0.5 + SPREAD_S / 2)
            killed_at = time.monotonic()
            code = await first.kill(signal.SIGKILL)
            assert code == -signal.SIGKILL, code
            at_kill = answers_by_member(rush)
            second.start()
            restart_s = await second.running()
            down_s = time.monotonic() - killed_at
            made = await rush_task
            query_ids: list[str] = made["callback_query_ids"]
            await settle(emu, rush, len(query_ids))
            answers = await emu.control("GET", "/callback_answers")
            after_rush = answers_by_member(rush)
            unfinished = [m for m in rush.members if len(after_rush.get(m, {})) < QUESTIONS]
            stuck = await carry_on(emu, rush, unfinished)
            at_end = answers_by_member(rush)
            errors = first.errors() + second.errors()
            assert await second.kill(signal.SIGTERM) == 0, second.out.read_text()[-2000:]
        finally:
            await first.kill()
            await second.kill()
    lost = sum(
        1
        for member, given in at_kill.items()
        for question, value in given.items()
        if at_end.get(member, {}).get(question) != value
    )
    finished = sum(len(given) == QUESTIONS for given in at_end.values())
    return {
        "survey_resume_answers_at_kill": sum(len(a) for a in at_kill.values()),
        "survey_resume_down_s": round(down_s, 1),
        "survey_resume_restart_s": round(restart_s, 1),
        "survey_resume_presses_unanswered": sum(1 for qid in query_ids if qid not in answers),
        "survey_resume_answers_after_rush": sum(len(a) for a in after_rush.values()),
        "survey_resume_carried_on": len(unfinished),
        "survey_resume_recorded": sum(len(a) for a in at_end.values()),
        "survey_resume_finished": finished,
        "survey_resume_lost": lost,
        "survey_resume_stuck": stuck,
        "survey_resume_bot_warnings": len(errors),
    }


def answers_by_member(rush: Rush) -> dict[int, dict[str, str]]:
    """Each member's answers in the database (finished or in progress; a survey with names),
    question id -> the answer as stored."""
    found: dict[int, dict[str, str]] = {}
    with contextlib.closing(sqlite3.connect(rush.database, timeout=30)) as con:
        for member, question, value in con.execute(
            "SELECT r.member_id, a.question_id, a.value FROM survey_responses r "
            "JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = ?",
            (rush.survey_id,),
        ):
            found.setdefault(member, {})[question] = json.loads(value)
        for member, path, answers in con.execute(
            "SELECT member_id, path, answers FROM survey_progress WHERE survey_id = ?",
            (rush.survey_id,),
        ):
            given = json.loads(answers)
            found[member] = {question: given[question] for question in json.loads(path)}
    return found


async def carry_on(emu: EmulatorProcess, rush: Rush, unfinished: list[int]) -> int:
    """Each member who has not finished carries on as a person would: "Start" on the
    invitation shows, as a new message, the question they are on; they answer it and the
    questions after it (made as in the rush). Telegram's flood limits are lifted for this
    part, which is not measured. How many could not finish."""
    start = codes.survey_data(codes.START, rush.survey_id)
    index = {member: i for i, member in enumerate(rush.members)}

    async def one(member: int) -> None:
        """Start, then the answers from the question shown on."""
        body = {"user_id": member, "message_id": rush.messages[member], "forge": True}
        await emu.control("POST", "/press_button", body | {"callback_data": start})
        try:
            shown = await emu.control(
                "POST", "/wait_for_message", {"chat_id": member, "kinds": ["sent"], "timeout": 30}
            )
        except RuntimeError:
            return  # not shown: counted as stuck below
        pressed = [data for _, data in shown["buttons"] if data.startswith("svp:")]
        if not pressed:
            return
        number = int(pressed[0].split(":")[2].removeprefix("q"))
        for later in range(number, QUESTIONS + 1):
            data = press_data(rush.survey_id, later, index[member])
            await emu.control("POST", "/press_button", body | {"callback_data": data})

    await emu.control("POST", "/limits", {"enabled": False})
    for begin in range(0, len(unfinished), 100):
        await asyncio.gather(*(one(m) for m in unfinished[begin : begin + 100]))
    await settle(emu, rush, QUESTIONS * len(rush.members))
    at_end = answers_by_member(rush)
    return sum(1 for member in rush.members if len(at_end.get(member, {})) < QUESTIONS)


def members() -> list[int]:
    """The members who answer."""
    count = int(os.environ.get("BENCH_SURVEY_MEMBERS", "1000"))
    return list(range(FIRST_MEMBER, FIRST_MEMBER + count))


async def run_surveys() -> dict:
    """Both rushes; the figures for the final JSON."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    clean = await clean_rush(members())
    resume = await resume_rush(members())
    return {"survey_measured_at": when} | clean | resume
