"""/audit reads every opportunity action as a sentence: each step done through the service on
a real database, then the log read back as a coordinator sees it (names, titles, kinds,
outcomes in words; the bot's own close by the closing date; nothing as a code)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from types import SimpleNamespace

from bot.delivery import Audience
from bot.forum import load_forum
from bot.services.opportunities import OpportunityDraft
from bot.services.reports import AUDIT_KINDS, ReportService, read_audit_words
from bot.texts import load_texts
from config.settings import CONFIG_DIR
from handlers.audit import KIND_BUTTONS, sentence
from storage.audit import AuditRepository
from storage.stats import StatsRepository
from tests.opportunities.conftest import CASEY, LONDON, NW_1, World

A, B = NW_1  # M1 and M2


def plain(html_text: str) -> str:
    """What a person reads."""
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))


async def said(world: World) -> list[str]:
    """The opportunity lines of /audit as Casey (a coordinator, not a member) reads them,
    oldest first: his own steps read "You"."""
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    reports = ReportService(
        world.members,
        StatsRepository(world.db),
        AuditRepository(world.db),
        world.roles,
        forum,
        world.clock,
    )
    view = await reports.audit_log(CASEY, kind="opportunities", limit=100)
    texts = load_texts(CONFIG_DIR / "texts")
    settings = SimpleNamespace(zone=LONDON)
    context = SimpleNamespace(services=SimpleNamespace(texts=texts, settings=settings, forum=forum))
    return [plain(sentence(context, line, viewer=CASEY)) for line in reversed(view.lines)]


async def test_each_opportunity_action_reads_as_its_sentence(world: World) -> None:
    service = world.service
    draft = OpportunityDraft(
        kind="speaking",
        title="Speak at <Leeds>",
        involves="A ten-minute talk.",
        gives="Travel paid",
        time_needed="One afternoon",
        place="Leeds",
        closes_at=service.closing_in(2),
        places=None,
        audience=Audience("region", "north_west"),
        paid=False,
    )
    talk = (await service.create(CASEY, draft)).opportunity.id
    other = await service.create(CASEY, OpportunityDraft(**{**draft.__dict__, "title": "Panel"}))
    await service.interested(A, talk, None)
    await service.interested(B, talk, "note")
    await service.withdraw(B, talk)
    await service.interested(B, talk, None)
    await service.people(CASEY, talk)
    await service.people(CASEY, talk, again=True)  # redrawn after a choice: one look
    await service.one(CASEY, talk)  # its title for a question: no look at anyone
    await service.tell(CASEY, talk, {A: True, B: False})
    await service.close_early(CASEY, other.opportunity.id)
    await service.cancel(CASEY, other.opportunity.id)
    world.clock.advance(timedelta(days=3))
    await service.sweep()  # the bot closes the first on its last day
    await service.record_outcome(CASEY, talk, A, "completed")

    lines = await said(world)

    assert lines == [
        "You posted the opportunity “Speak at <Leeds>” (Speaking at an event) for members "
        "in North West, and told 3 members.",
        "You posted the opportunity “Panel” (Speaking at an event) for members in North "
        "West, and told 3 members.",
        "M1 said they are interested in the opportunity “Speak at <Leeds>”.",
        "M2 said they are interested in the opportunity “Speak at <Leeds>”.",
        "M2 took back their interest in the opportunity “Speak at <Leeds>”.",
        "M2 said they are interested in the opportunity “Speak at <Leeds>”.",
        "You looked at who is interested in the opportunity “Speak at <Leeds>”.",
        "You chose 1 person for the opportunity “Speak at <Leeds>”, and told 1 person not "
        "this time.",
        "You closed the opportunity “Panel” early.",
        "You called off the opportunity “Panel”.",
        "The opportunity “Speak at <Leeds>” closed on its last day. 0 people were waiting to hear.",
        "You recorded what happened for M1 on the opportunity “Speak at <Leeds>”: completed.",
    ]


async def test_opportunities_is_a_kind_to_filter_by(world: World) -> None:
    assert "opportunities" in KIND_BUTTONS and "opportunities" in AUDIT_KINDS
    assert read_audit_words("Casey opportunities") == ("opportunities", "Casey")
    assert read_audit_words("opportunity") == ("opportunities", "")
    # A deleted opportunity's entries still read as sentences, without its title.
    await world.db.execute(
        "INSERT INTO audit_log (at, actor_id, action, detail) VALUES (?, ?, ?, ?)",
        ("2026-12-10T14:00:00+00:00", CASEY, "opportunity.cancelled", "opportunity 99"),
    )
    assert await said(world) == ["You called off the opportunity (since deleted)."]
