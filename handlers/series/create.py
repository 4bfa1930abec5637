"""Storing /newpoll's or /newsurvey's draft from its preview: the one-off, or, when the draft
repeats, a series: the series service checks the draft as the one-off would be checked, then
the coordinator is told the rule, the first round's opening and where to change it (/series)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from bot.localtime import local_when
from bot.services.consultations import ConsultationDraft
from bot.services.errors import ServiceError
from bot.services.surveys import SurveyDraft
from handlers.series.messages import rule_words
from handlers.shared.common import ForumContext, show_key
from handlers.shared.conversation import Conversation


async def store_once_or_series(
    update: Update,
    context: ForumContext,
    drafts: Conversation,
    draft: Any,
    redo: Callable[[Any, ServiceError], Any],
    wanted: ConsultationDraft | SurveyDraft,
    create: Callable[[], Awaitable[Any]],
) -> Any:
    """The one-off stored once by ``create`` and returned (None if not: the person was told);
    a draft that repeats starts a series instead (stored once, as any conversation's draft,
    and said so), and None comes back."""
    if draft.repeat is None:
        return await drafts.store(update, context, draft, create, redo)
    services = context.services
    actor = update.effective_user.id
    rule = draft.repeat
    if isinstance(wanted, ConsultationDraft):
        start = lambda: services.series.start_consultation(actor, wanted, rule)  # noqa: E731
        key = "series.created_consultation"
    else:
        start = lambda: services.series.start_survey(actor, wanted, rule)  # noqa: E731
        key = "series.created_survey"
    created = await drafts.store(update, context, draft, start, redo)
    if created is None:
        return None
    texts = services.texts
    assert created.next_opens_at is not None
    await show_key(
        update,
        context,
        key,
        None,
        title=created.title,
        rule=rule_words(texts, created.rule),
        opens=local_when(created.next_opens_at, services.settings.zone, texts),
    )
    return None
