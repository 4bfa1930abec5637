"""Consultation voting: BENCH_VOTERS (default 2000) members each press one answer button once,
the presses spread evenly over about two seconds, through the real bot and the emulator; and
the time to count (and protect) a consultation with 10,000 answers.

Invitations to 2,000 people take over a minute at 30 a second, so the phase does not wait for
them: it opens the consultation (its invitations are queued as usual, and cancelled at the end),
puts the question with its real buttons in each voter's chat by calling the Bot API as the bot
would, and the emulator makes the presses with the button's callback data (``forge=True``, the
data a client sends for that button) at their moments, as Telegram's servers pass members'
presses on. Press to answer is the emulator's time of the press to its record of the bot's
answerCallbackQuery. The bot's CPU time an answer (all its threads, from ``process_time``) is
the figure to watch when other work shares the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.presses import percentile
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.lifecycle import ALLOWED_UPDATES
from bot.results.suppression import FEWER_THAN_5, HIDDEN, all_figures, protect
from bot.services.consultations.messages import KIND_INVITE
from bot.services.consultations.rules import ConsultationDraft
from emulator.process import EmulatorProcess
from handlers.consultations.messages import ConsultationMessages
from storage.audit import AuditRepository
from storage.consultations import ConsultationRepository, NewConsultation
from storage.db import open_database
from storage.members import MemberRepository
from storage.roles import COORDINATOR, RoleRepository
from storage.timefmt import to_db

ACTOR = 780_000_001  # the coordinator who opens the consultation
OPTIONS = ("Yes", "No", "Not sure")
TALLY_OPTIONS = ("Yes", "No", "Not sure", "Other")
TALLY_INVITED, TALLY_ANSWERS, TALLY_RUNS = 12_500, 10_000, 9
TALLY_FIRST = 1_000_000_001


def _draft(now: Any) -> ConsultationDraft:
    """A national single-answer question closing in two days, with a comment asked for."""
    return ConsultationDraft(
        question="Bench: should hub meetings move to evenings?",
        options=OPTIONS,
        multiple=False,
        ask_comment=True,
        audience=Audience(EVERYONE),
        closes_at=now + timedelta(days=2),
        member_note="The national board reads the results. No names are shared.",
    )


STEADY_PER_S = 200  # presses a second in the steadier stream
STEADY_OFFSET = 100_000  # its voters' ids, apart from the rush's


async def run_votes(
    app: Any, emu: EmulatorProcess, token: str, voters: list[int], spread: float = 2.0
) -> dict:
    """The measurements; the figures for the final JSON (and the readable lines): the issue's
    rush (every voter within ``spread`` seconds), then a steadier stream at STEADY_PER_S from
    other voters, to show the answer time when the bot keeps up."""
    tally = await run_tally(app.bot_data["services"])
    votes = await _run_presses(app, emu, token, voters, spread)
    steady_voters = [voter + STEADY_OFFSET for voter in voters[: len(voters) // 2]]
    steady = await _run_presses(app, emu, token, steady_voters, len(steady_voters) / STEADY_PER_S)
    steady_figures = {
        "vote_steady_voters": steady["vote_voters"],
        "vote_steady_recorded": steady["votes_recorded"],
        "vote_steady_answers_per_s": steady["vote_answers_per_s"],
        "vote_steady_p50_ms": steady["vote_p50_ms"],
        "vote_steady_p99_ms": steady["vote_p99_ms"],
    }
    return votes | steady_figures | tally


async def _run_presses(
    app: Any, emu: EmulatorProcess, token: str, voters: list[int], spread: float
) -> dict:
    """Set up the voters, open the consultation, press, and count what was kept."""
    services = app.bot_data["services"]
    # The questions are put in place with Telegram's limits off; the rush runs with them on.
    await emu.control("POST", "/limits", {"enabled": False})
    # The voters joined long ago: their /start updates are dropped unread, not handled now.
    await app.updater.stop()
    await emu.add_started_users(voters, token)
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    members = MemberRepository(services.db)
    now = services.clock.now()
    for member_id in voters:
        await members.add(member_id, "Voter", now)
    await RoleRepository(services.db).grant(ACTOR, COORDINATOR, None, now)
    consultation = await services.consultations.create(ACTOR, _draft(now))
    renderer = ConsultationMessages(services.texts, services.settings.zone, services.forum)
    text, markup = renderer.invitation(consultation)
    markup_json = markup.to_dict() if hasattr(markup, "to_dict") else markup
    messages: dict[int, int] = {}

    async def place(voter: int) -> None:
        """The question with its buttons in one voter's chat, as the invitation looks."""
        sent = await emu.bot_api(
            token,
            "sendMessage",
            {"chat_id": voter, "text": text, "parse_mode": "HTML", "reply_markup": markup_json},
        )
        messages[voter] = sent["result"]["message_id"]

    for start in range(0, len(voters), 200):
        await asyncio.gather(*(place(v) for v in voters[start : start + 200]))

    log_start = len(await emu.control("GET", "/requests"))
    presses = [
        [voter, messages[voter], f"cv:{consultation.id}:{i % len(OPTIONS)}"]
        for i, voter in enumerate(voters)
    ]
    answered_before = await _answer_calls(emu)
    # Telegram's flood limits are in force for the rush: answering presses is not limited, and
    # the bot's redraws and invitations must keep within 30 sends a second (refusals counted).
    await emu.control("POST", "/limits", {"enabled": True, "global_per_second": 30})
    # The presses are made inside the emulator, as Telegram's servers pass members' presses on.
    # A client of our own making 1,000 requests a second took a third of this 2-core machine,
    # which the bot does not have to share with its members' phones in real life.
    cpu_before = time.process_time()  # all the bot's threads, whatever else the machine runs
    made = await emu.control(
        "POST", "/press_buttons", {"presses": presses, "spread": spread, "forge": True}
    )
    query_ids: list[str] = made["callback_query_ids"]
    deadline = time.monotonic() + 120.0
    while await _answer_calls(emu) - answered_before < len(query_ids):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    cpu_ms = (time.process_time() - cpu_before) * 1000
    answers = await emu.control("GET", "/callback_answers")
    latencies = [
        (answers[qid]["time"] - answers[qid]["pressed"]) * 1000 if qid in answers else float("inf")
        for qid in query_ids
    ]
    pressed_at = [answers[qid]["pressed"] for qid in query_ids if qid in answers]
    pressing_s = max(pressed_at) - min(pressed_at) if pressed_at else 0.0
    await asyncio.sleep(1.0)  # let the edits and comment prompts that follow settle
    recorded = await services.db.fetch_value(
        "SELECT COUNT(DISTINCT member_id) FROM consultation_invites "
        "WHERE consultation_id = ? AND answered_at IS NOT NULL AND member_id BETWEEN ? AND ?",
        (consultation.id, min(voters), max(voters)),
    )
    counts = (await services.consultations.tally(consultation)).counts
    log = await emu.control("GET", f"/requests?since={log_start}")
    wanted = set(voters)
    calls = Counter(e["method"] for e in log if e.get("chat_id") in wanted or not e.get("chat_id"))
    failed = Counter(
        e["method"]
        for e in log
        if e["status"] != 200 and (e.get("chat_id") in wanted or not e.get("chat_id"))
    )
    in_time = sum(1 for qid in query_ids if qid in answers)
    # Every press ends in one answerCallbackQuery; one sent too late is refused as too old.
    acks = [e for e in log if e["method"] == "answerCallbackQuery"]
    through_s = max(e["time"] for e in acks) - min(pressed_at) if acks and pressed_at else 0.0
    invites = await services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = ? AND state NOT IN ('done', 'cancelled')",
        (KIND_INVITE,),
    )
    for row in invites:  # the figures are taken: do not spend a minute sending them
        with contextlib.suppress(Exception):
            await services.delivery.cancel(row["id"])

    def ms(value: float) -> float | None:
        """Milliseconds rounded, or None for a press never answered (JSON has no infinity)."""
        return round(value, 1) if math.isfinite(value) else None

    return {
        "vote_voters": len(voters),
        "vote_bot_cpu_ms_per_answer": round(cpu_ms / max(len(acks), 1), 3),
        "votes_recorded": int(recorded),
        "vote_counts": list(counts),
        "vote_press_seconds": round(pressing_s, 2),
        "vote_answered": in_time,
        "vote_too_old": len(query_ids) - in_time,
        "vote_answers_per_s": round(len(acks) / through_s, 1) if through_s > 0 else None,
        "vote_p50_ms": ms(percentile(latencies, 0.5)),
        "vote_p99_ms": ms(percentile(latencies, 0.99)),
        "vote_max_ms": ms(max(latencies)),
        "vote_bot_calls": dict(sorted(calls.items())),
        "vote_bot_call_failures": dict(sorted(failed.items())),
    }


async def _answer_calls(emu: EmulatorProcess) -> int:
    """How many answerCallbackQuery calls the emulator has seen (any status): a cheap count."""
    stats = await emu.control("GET", "/stats")
    return sum(stats["by_method"].get("answerCallbackQuery", {}).values())


async def run_tally(services: Any) -> dict:
    """Count a consultation with 10,000 answers (of 12,500 asked) over 5 regions and 10 hubs
    in a temporary database: ``tally`` then ``protect``, median of several runs, against a
    plain ``SELECT COUNT(*)`` over the same invites table."""
    folder = Path(tempfile.mkdtemp(prefix="bench-tally-"))
    db = await open_database(folder / "tally.db")
    try:
        # The bot's own service on the temporary database (its delivery is not used by tally).
        service = replace(
            services.consultations,
            db=db,
            consultations=ConsultationRepository(db),
            roles_repository=RoleRepository(db),
            members=MemberRepository(db),
            audit=AuditRepository(db),
        )
        consultation_id = await _fill(db, services)
        consultation = await ConsultationRepository(db).get(consultation_id)
        assert consultation is not None
        sql_ms, protect_ms, total_ms, count_ms = [], [], [], []
        safe = None
        for run in range(TALLY_RUNS + 1):
            started = time.perf_counter()
            raw = await service.tally(consultation)
            counted = time.perf_counter()
            safe = protect(raw)
            done = time.perf_counter()
            started_count = time.perf_counter()
            await db.fetch_value("SELECT COUNT(*) FROM consultation_invites")
            count_done = time.perf_counter()
            if run == 0:
                continue  # warm-up: the first run reads the pages from disk
            sql_ms.append((counted - started) * 1000)
            protect_ms.append((done - counted) * 1000)
            total_ms.append((done - started) * 1000)
            count_ms.append((count_done - started_count) * 1000)
        assert safe is not None
        hidden = sum(1 for f in all_figures(safe) if f.status in (FEWER_THAN_5, HIDDEN))
        tally = statistics.median(total_ms)
        count = statistics.median(count_ms)
        return {
            "tally_answers": raw.answered,
            "tally_invited": raw.invited,
            "tally_ms": round(tally, 2),
            "tally_sql_ms": round(statistics.median(sql_ms), 2),
            "tally_protect_ms": round(statistics.median(protect_ms), 2),
            "tally_count_ms": round(count, 3),
            "tally_vs_count_ratio": round(tally / count, 1) if count > 0 else None,
            "tally_figures_withheld": hidden,
        }
    finally:
        await db.close()
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def _fill(db: Any, services: Any) -> int:
    """Members over every hub, an open consultation inviting them all, and 10,000 answers
    (a handful of "Other" per region, so small-count suppression has work to do)."""
    hubs = [(region.id, hub.id) for region in services.forum.regions for hub in region.hubs]
    now = services.clock.now()
    ids = list(range(TALLY_FIRST, TALLY_FIRST + TALLY_INVITED))
    repo = ConsultationRepository(db)
    async with db.transaction() as tx:
        await tx.execute_many(
            "INSERT INTO members (telegram_id, first_name, consented_at, region_id, hub_id, "
            "setup_done, updated_at) VALUES (?,?,?,?,?,1,?)",
            [
                (member, "Member", to_db(now), *hubs[i % len(hubs)], to_db(now))
                for i, member in enumerate(ids)
            ],
        )
        consultation_id = await repo.create(
            NewConsultation(
                question="Bench: tally",
                options=TALLY_OPTIONS,
                multiple=False,
                ask_comment=False,
                audience_scope=EVERYONE,
                audience_place=None,
                member_note="Bench.",
                show_results="after_close",
                opens_at=now,
                closes_at=now + timedelta(days=2),
                readers=(),
            ),
            None,
            now,
            tx,
        )
        assert await repo.open(consultation_id, ids, now, tx)
        answered = ids[:TALLY_ANSWERS]
        await tx.execute(
            "UPDATE consultation_invites SET answered_at = ? "
            "WHERE consultation_id = ? AND member_id BETWEEN ? AND ?",
            (to_db(now), consultation_id, answered[0], answered[-1]),
        )
        regions = [region.id for region in services.forum.regions]
        other_left = {region: 2 + n % 3 for n, region in enumerate(regions)}  # 2 to 4 each
        rows = []
        for i, member in enumerate(answered):
            region = hubs[i % len(hubs)][0]
            if other_left[region]:
                other_left[region] -= 1
                position = 3
            else:
                position = (0, 0, 0, 0, 0, 1, 1, 1, 2, 2)[(i // len(hubs)) % 10]
            rows.append((consultation_id, member, position))
        await tx.execute_many(
            "INSERT INTO consultation_choices (consultation_id, member_id, position) "
            "VALUES (?,?,?)",
            rows,
        )
    return consultation_id
