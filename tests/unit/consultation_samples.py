"""A consultation and the real renderer, for unit tests of how consultations look."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from bot.forum import load_forum
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.consultations.messages import ConsultationMessages
from storage.consultations import Consultation

CLOSED = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)


@cache
def renderer() -> ConsultationMessages:
    """The real renderer with the real catalogue and forum, loaded once."""
    texts = load_texts(CONFIG_DIR / "texts")
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    return ConsultationMessages(texts, ZoneInfo("Europe/London"), forum)


def a_consultation(**changes: object) -> Consultation:
    """A national yes / no / not sure consultation; change any field."""
    base = Consultation(
        id=7,
        question="Should hub meetings move to evenings?",
        options=("Yes", "No", "Not sure"),
        multiple=False,
        ask_comment=False,
        audience_scope="everyone",
        audience_place=None,
        member_note="Read by the national board.",
        show_results="after_close",
        opens_at=CLOSED,
        closes_at=CLOSED,
        state="open",
        nudge_state="pending",
        results_sent=False,
        closed_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]
