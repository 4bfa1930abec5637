"""The summary PDF: a valid one-page PDF whose text holds the member's summary (first name,
counts, opportunities, contributions, skills) and nothing of their history or support needs,
even when the database holds plenty of it; hidden parts stay out; a safe file name."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.services.journey import JourneyService, Summary
from bot.services.journey.pdf import render_summary
from bot.texts import Texts, load_texts
from config.settings import CONFIG_DIR
from handlers.journey.views import summary_file_name, summary_page
from storage.db import Database
from tests.journey.world import World

SAM = 700000001
LONDON = ZoneInfo("Europe/London")
# Written into the database for Sam, and never to be in the summary.
SUPPORT_WORDS = (
    "struggling with drink",  # the note of a request to be contacted
    "my housing worker",  # a comment on a consultation
    "North West",  # the region of the services they use
    "north_west",
    "crisis",
    "urgent",
    "Samaritans",
    "support",
    "health",
)


@pytest.fixture(scope="module")
def texts() -> Texts:
    return load_texts(CONFIG_DIR / "texts")


def pdf_text(payload: bytes) -> tuple[int, str]:
    """The number of pages and the text on them, as a PDF reader extracts it."""
    assert payload.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(payload), strict=True)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


async def test_the_summary_holds_the_record_and_no_support_needs(
    journeys: JourneyService, world: World, db: Database, texts: Texts
) -> None:
    await world.member(SAM, "Sam", joined=datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    for days in (100, 60, 30):
        await world.meeting(f"Hub meeting {days}", days, attended={SAM: 1})
    await world.consultation([SAM])
    await world.survey(SAM, anonymous=False, state="closed")
    await world.opportunity("Peer research training", "training", outcomes={SAM: "completed"})
    await world.contribution(SAM, "meeting_role", "chaired the June meeting")
    await world.support_traces(SAM, "I am struggling with drink", "my housing worker helps")
    await journeys.add_listed(SAM, "speaking")
    await journeys.add_own(SAM, "Cooking for a group")

    summary = await journeys.summary(SAM)
    pages, text = pdf_text(await journeys.summary_pdf(summary_page(texts, LONDON, summary)))

    assert pages == 1
    assert "Sam: my time with the forum" in text
    assert "Joined the forum in March 2026" in text
    assert "Came to 3 forum meetings" in text
    # 2 consultations: the one above, and the one the support comment was left on.
    assert "Gave my views in 2 consultations and 1 survey" in text
    assert "Peer research training: completed" in text
    assert "A role at a meeting: chaired the June meeting" in text
    assert "Speaking, Cooking for a group" in text
    assert "Thursday 10 December 2026" in text  # the day it was made
    for words in SUPPORT_WORDS:
        assert words.lower() not in text.lower(), words
    # Nothing but these facts can reach the page: the summary has no field for anything else.
    assert set(Summary.__dataclass_fields__) == {
        "first_name",
        "made_at",
        "joined_at",
        "meetings",
        "consultations",
        "surveys",
        "opportunities",
        "contributions",
        "skills",
    }


async def test_hidden_parts_are_left_out_of_the_summary(
    journeys: JourneyService, world: World, texts: Texts
) -> None:
    await world.member(SAM, "Sam")
    await world.meeting("Hub meeting", 10, attended={SAM: 1})
    panel = await world.opportunity("Interview panel", "paid", outcomes={SAM: "took_part"})
    await world.opportunity("Food bank shifts", outcomes={SAM: "completed"})
    await journeys.add_own(SAM, "Listening")
    await journeys.hide(SAM, f"opportunity:{panel}")
    await journeys.hide(SAM, "skills")
    await journeys.hide(SAM, "joined")

    summary = await journeys.summary(SAM)
    _, text = pdf_text(render_summary(summary_page(texts, LONDON, summary)))

    assert "Food bank shifts: completed" in text
    assert "Interview panel" not in text
    assert "Listening" not in text
    assert "Joined the forum" not in text
    assert "Came to 1 forum meeting." in text


async def test_a_long_record_still_fits_one_page(
    journeys: JourneyService, world: World, texts: Texts
) -> None:
    await world.member(SAM, "Maximilian-Alexander")
    for number in range(30):
        await world.opportunity(
            f"Opportunity number {number} " + "x" * 60, outcomes={SAM: "completed"}
        )
        await world.contribution(SAM, "other", "helped " + "y" * 200, days_ago=number)
    for number in range(20):
        await journeys.add_own(SAM, f"A skill with a long name {number:02d} " + "z" * 10)

    summary = await journeys.summary(SAM)
    pages, text = pdf_text(render_summary(summary_page(texts, LONDON, summary)))

    assert pages == 1
    assert "and 25 more" in text


async def test_names_and_skills_in_other_letters_and_emoji_do_not_break_it(
    journeys: JourneyService, world: World, texts: Texts, caplog: pytest.LogCaptureFixture
) -> None:
    await world.member(SAM, "Zoë 中文")
    await journeys.add_own(SAM, "Écrire ✍️ 写作 <b>&amp;")

    summary = await journeys.summary(SAM)
    pages, text = pdf_text(render_summary(summary_page(texts, LONDON, summary)))

    assert pages == 1
    assert "Zoë" in text
    assert "Écrire" in text and "<b>&amp;" in text
    assert "写" not in caplog.text  # nothing a member wrote reaches the logs


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sam", "forum-summary-Sam-2026-12-10.pdf"),
        ("Zoë Ann", "forum-summary-Zoe-Ann-2026-12-10.pdf"),
        ("../../etc/passwd", "forum-summary-etc-passwd-2026-12-10.pdf"),
        ("中文", "forum-summary-member-2026-12-10.pdf"),
        ("a" * 80, f"forum-summary-{'a' * 30}-2026-12-10.pdf"),
    ],
)
def test_the_file_name_has_safe_characters_only(name: str, expected: str) -> None:
    summary = Summary(
        first_name=name,
        made_at=datetime(2026, 12, 10, 23, 30, tzinfo=UTC),
        joined_at=None,
        meetings=None,
        consultations=None,
        surveys=None,
        opportunities=(),
        contributions=(),
        skills=(),
    )
    assert summary_file_name(summary, LONDON) == expected
