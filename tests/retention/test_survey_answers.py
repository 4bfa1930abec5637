"""Survey answers kept only as long as promised, on a real database with a moved clock: every
finished response and its answers (typed words too) of a survey closed 12 months ago go in
the daily run, exactly at the cutoff and not a day before, anonymous and named alike; open,
recently closed and called-off surveys and everything else stay; the words leave the file;
/retention counts the surveys whose answers go in the next 30 days from the same condition;
the results pack is then a plain note, never empty figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_services
from bot.clock import Clock
from bot.delivery import Audience
from bot.delivery.audience import EVERYONE
from bot.retention_policy import MONTH, Duration
from bot.services.registry import Services
from bot.services.surveys import SurveyDraft
from bot.services.surveys.definition import SKIPPED, Answer
from tests.conftest import START, make_settings
from tests.retention.conftest import CASEY
from tests.retention.test_rules import file_bytes, settle
from tests.surveys.e2e_world import HELP_SURVEY

ANN, BEN, CAL = 700_003_001, 700_003_002, 700_003_003
DAY = timedelta(days=1)
KEPT = Duration(12, MONTH)  # the shipped policy
# Tables the retention run may change for surveys; everything else must stay as it was.
SURVEY_ANSWER_TABLES = {"survey_responses", "survey_answers", "survey_progress"}


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    """Every service as bot/app.py builds it, with an anonymous and a named survey file."""
    folder = tmp_path / "surveys"
    folder.mkdir()
    for key, anonymous in (("anon_help", "yes"), ("named_help", "no")):
        (folder / f"{key}.yaml").write_text(
            HELP_SURVEY.format(anonymous=anonymous), encoding="utf-8"
        )
    settings = make_settings(tmp_path, coordinator_ids=[CASEY], surveys_dir=folder)
    built = await build_services(settings, clock)
    try:
        for person, name in ((ANN, "Ann"), (BEN, "Ben"), (CAL, "Cal")):
            await built.members.join(person, name)
            await built.members.choose_region(person, "midlands")
            await built.members.finish_setup(person)
        yield built
    finally:
        await built.db.close()


async def open_survey(services: Services, key: str) -> int:
    """Casey opens a survey for everyone now, closing in three days."""
    draft = SurveyDraft(
        file_key=key,
        audience=Audience(EVERYONE),
        opens_at=None,
        closes_at=services.clock.now() + timedelta(days=3),
    )
    return (await services.surveys.create(CASEY, draft)).id


async def finish(services: Services, member: int, survey_id: int, said: str) -> None:
    """A member answers every question shown, typing ``said`` for the last one."""
    answers: dict[str, Answer] = {"used": "no", "easy": 4, "days": 3, "change": said}
    surveys = services.surveys
    position = await surveys.agree(member, survey_id)
    while position.state == "question":
        question = position.question
        assert question is not None
        value = answers.get(question.id, SKIPPED)
        if value is SKIPPED:
            position = await surveys.skip(member, survey_id, question.id)
        elif question.kind in ("number", "text"):
            position = await surveys.typed(member, survey_id, question.id, str(value))
        else:
            position = await surveys.press(member, survey_id, question.id, value)
    assert position.state == "finished"


async def answered_survey(services: Services, key: str, said: str) -> int:
    """A survey Ann and Ben finished (Cal only agreed), closed now; its id."""
    survey_id = await open_survey(services, key)
    await finish(services, ANN, survey_id, f"{said} from Ann")
    await finish(services, BEN, survey_id, f"{said} from Ben")
    await services.surveys.agree(CAL, survey_id)
    await services.surveys.close_now(CASEY, survey_id)
    return survey_id


async def kept(services: Services, survey_id: int) -> tuple[int, int]:
    """How many responses and answers a survey still has."""
    responses = await services.db.fetch_value(
        "SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?", (survey_id,)
    )
    answers = await services.db.fetch_value(
        "SELECT COUNT(*) FROM survey_answers WHERE response_id IN "
        "(SELECT id FROM survey_responses WHERE survey_id = ?)",
        (survey_id,),
    )
    return int(responses), int(answers)


async def deleted_at(services: Services, survey_id: int) -> datetime | None:
    """When the survey's answers were deleted, or None."""
    return (await services.surveys.get(survey_id)).answers_deleted_at


async def packs_sent(services: Services, clock: Clock) -> None:
    """Every results pack queued so far is sent to everyone and finished now, as the
    delivery worker would (its words, with the answers in words, go 90 days later)."""
    packs = await services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = 'survey_results' AND finished_at IS NULL"
    )
    for row in packs:
        rows = await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (row["id"],)
        )
        await settle(services, row["id"], clock, *["sent"] * rows)


async def everything_else(services: Services) -> dict[str, list[tuple]]:
    """Every row of every table but the survey answers' own and the audit log (the run adds
    its record there), and the surveys without the mark the run sets."""
    tables = await services.db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    found = {}
    for row in tables:
        name = row["name"]
        if name in SURVEY_ANSWER_TABLES or name == "audit_log":
            continue
        rows = await services.db.fetch_all(f"SELECT * FROM {name}")
        found[name] = sorted(
            (
                tuple(value for key, value in dict(r).items() if key != "answers_deleted_at")
                for r in rows
            ),
            key=repr,
        )
    return found


async def test_answers_go_exactly_when_promised_and_not_a_day_before(
    services: Services, clock: Clock
) -> None:
    anonymous = await answered_survey(services, "anon_help", "Quokka-Anon-5521")
    named = await answered_survey(services, "named_help", "Quokka-Named-7713")
    closed = clock.now()
    await packs_sent(services, clock)
    assert await kept(services, anonymous) == (2, 8)  # 4 answers each: "which" not shown
    assert await kept(services, named) == (2, 8)
    clock.advance(timedelta(days=91))
    assert (await services.retention.run()).broadcasts >= 2  # the packs' words went
    secrets = (b"Quokka-Anon-5521", b"Quokka-Named-7713")
    assert all(secret in file_bytes(services) for secret in secrets)  # the answers hold them
    before = await everything_else(services)

    clock.set(KEPT.after(closed) - DAY)
    result = await services.retention.run()
    assert result.surveys == 0
    assert await kept(services, anonymous) == (2, 8) and await kept(services, named) == (2, 8)
    assert await deleted_at(services, anonymous) is None

    clock.set(KEPT.after(closed))  # exactly 12 months after closing
    result = await services.retention.run()
    assert result.surveys == 2
    assert "survey answers of 2 surveys" in result.summary()
    for survey_id in (anonymous, named):
        assert await kept(services, survey_id) == (0, 0)
        assert await deleted_at(services, survey_id) == clock.now()
    assert await services.surveys.member_data(ANN) == [
        {
            "survey": "Getting help",
            "anonymous": False,
            "agreed": True,
            "finished": True,
            "withdrawn": False,
            "answers_in_progress": None,
            "answers": None,
        }
    ]  # the named survey's invitation stays; its answers are gone
    for secret in secrets:  # scrubbed: not in the file nor its write-ahead log
        assert secret not in file_bytes(services), secret
    assert await everything_else(services) == before  # nothing else deleted
    recorded = await services.db.fetch_value(
        "SELECT detail FROM audit_log WHERE action = 'retention.applied' ORDER BY id DESC"
    )
    assert "survey answers of 2 surveys" in recorded
    clock.advance(DAY)
    assert (await services.retention.run()).surveys == 0  # each once
    assert await deleted_at(services, anonymous) == clock.now() - DAY


async def test_only_surveys_closed_long_enough_ago_lose_their_answers(
    services: Services, clock: Clock
) -> None:
    old = await answered_survey(services, "anon_help", "Old")
    called_off = await open_survey(services, "named_help")
    await services.surveys.cancel(CASEY, called_off)
    clock.set(KEPT.after(START) - DAY)
    recent = await answered_survey(services, "named_help", "Recent")  # closed a day before
    still_open = await open_survey(services, "anon_help")
    await finish(services, ANN, still_open, "Open")
    await services.surveys.agree(BEN, still_open)  # Ben is part way through
    await services.surveys.press(BEN, still_open, "used", "no")
    progress = await services.db.fetch_value("SELECT COUNT(*) FROM survey_progress")

    clock.advance(DAY)
    assert (await services.retention.run()).surveys == 1
    assert await kept(services, old) == (0, 0)
    assert await kept(services, recent) == (2, 8)
    assert await kept(services, still_open) == (1, 4)
    assert await services.db.fetch_value("SELECT COUNT(*) FROM survey_progress") == progress
    for survey_id in (recent, still_open, called_off):
        assert await deleted_at(services, survey_id) is None
    assert (await services.surveys.get(still_open)).state == "open"


async def test_retention_counts_the_surveys_whose_answers_go_in_30_days(
    services: Services, clock: Clock
) -> None:
    first = await answered_survey(services, "anon_help", "First")
    clock.advance(timedelta(days=10))
    await answered_survey(services, "named_help", "Second")
    closed_first = START

    clock.set(KEPT.after(closed_first) - timedelta(days=31))
    assert (await services.retention.outlook(CASEY)).surveys == 0
    clock.set(KEPT.after(closed_first) - timedelta(days=30))  # the first goes on day 30
    outlook = await services.retention.outlook(CASEY)
    assert outlook.surveys == 1
    assert outlook.policy.survey_answers == KEPT
    clock.set(KEPT.after(closed_first) - timedelta(days=20))
    assert (await services.retention.outlook(CASEY)).surveys == 2
    # A survey still open is not: its answers go 12 months after it closes.
    await open_survey(services, "anon_help")
    assert (await services.retention.outlook(CASEY)).surveys == 2
    clock.set(KEPT.after(closed_first))
    assert (await services.retention.run()).surveys == 1
    assert await deleted_at(services, first) == clock.now()
    # Deleted ones are not counted again; the second, due in 10 days, still is.
    assert (await services.retention.outlook(CASEY)).surveys == 1


async def test_results_say_the_answers_were_deleted_instead_of_empty_figures(
    services: Services, clock: Clock
) -> None:
    survey_id = await answered_survey(services, "named_help", "Quokka-Named-7713")
    pack = await services.surveys.results_pack(CASEY, survey_id)
    assert "Survey results" in pack[0].text_html
    assert any("Quokka-Named-7713" in part.text_html for part in pack)  # answers in words
    clock.set(KEPT.after(START))
    await services.retention.run()
    parts = await services.surveys.results_pack(CASEY, survey_id)
    assert len(parts) == 1 and parts[0].media is None
    text = parts[0].text_html
    assert "were deleted on Friday 10 December 2027" in text
    assert "as members were told" in text
    assert "when it closed, on Thursday 10 December 2026" in text
    assert "still in your chat" in text
    assert "Survey results" not in text and "Asked" not in text and "Quokka" not in text
    listed = await services.surveys.readable(CASEY)
    assert [s.id for s in listed] == [survey_id]  # still listed, to say so when pressed
