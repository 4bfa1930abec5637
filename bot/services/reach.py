"""Every intended reader is reached, and coordinators know when someone is not.

``ReachService`` says whether someone has opened the bot (from what is stored: membership, the
last send to them, a contact request, a role holder opening the bot), and follows what the
delivery engine could not deliver:

- a results pack that could not reach a decision-maker becomes a warning to every
  coordinator, once per pack and person (the warning and its message in one transaction);
- an urgent contact notice that reached no coordinator at all: the person is told plainly,
  once, that it could not be passed on, with 999 and Samaritans.

Both are decided from the database, so they run when a broadcast finishes (this service
listens to the delivery engine) and again on a sweep: nothing is lost to a crash, and the
marks taken with each message keep anything from being sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.delivery import BroadcastStatus, DeliveryService
from bot.delivery.outbox import outbox
from bot.delivery.policy import BLOCKED, CHAT_NOT_FOUND
from bot.delivery.reach import why
from bot.services.consultations.messages import KIND_RESULTS
from bot.services.contact import KIND_URGENT
from bot.services.roles import RoleService
from bot.services.surveys.messages import KIND_RESULTS as SURVEY_RESULTS
from storage.consultations import ConsultationRepository
from storage.contact_requests import ContactRequestRepository
from storage.reach import ReachRepository
from storage.results_warnings import ResultsWarningRepository, survey_warning_label
from storage.surveys import SurveyRepository

logger = logging.getLogger(__name__)

# Whether someone has opened the bot, as far as the bot knows.
OPENED, NOT_OPENED, BLOCKED_BOT, UNSURE = "opened", "not_opened", "blocked", "unsure"
KIND_PACK_WARNING = "results_warning"  # to coordinators: a pack did not reach a decision-maker
KIND_NOT_PASSED_ON = "contact_not_passed_on"  # to the person: no coordinator could be reached


class ReachMessages(Protocol):
    """How the warnings look; the handlers layer provides it."""

    def pack_unreached(self, question: str, name: str | None, user_id: int, why: str) -> str: ...
    def not_passed_on(self) -> str: ...


@dataclass(eq=False)
class ReachService:
    """Who has opened the bot, and the warnings when a message reached nobody it should."""

    reach: ReachRepository
    warnings: ResultsWarningRepository
    consultations: ConsultationRepository
    requests: ContactRequestRepository
    delivery: DeliveryService
    roles: RoleService
    clock: Clock
    messages: ReachMessages
    surveys: SurveyRepository | None = None  # None: surveys' packs are not followed

    async def of(self, telegram_id: int) -> str:
        """OPENED, NOT_OPENED, BLOCKED_BOT or UNSURE: the newest sign the bot has."""
        seen = await self.reach.evidence(telegram_id)
        if seen.member and seen.member_reachable:
            return OPENED
        failed_last = seen.last_state == "failed" and (
            seen.opened_at is None or (seen.last_at is not None and seen.last_at > seen.opened_at)
        )
        if failed_last:
            if seen.last_reason == CHAT_NOT_FOUND:
                return NOT_OPENED
            if seen.last_reason == BLOCKED:
                return BLOCKED_BOT
            return UNSURE
        if seen.last_state == "sent" or seen.opened_at is not None or seen.asked:
            return OPENED
        return UNSURE

    async def may_reach_any(self, people: Iterable[int]) -> bool:
        """True unless the bot knows it can reach none of these people (not opened or
        blocked; someone it is not sure about counts as reachable)."""
        for person in people:
            if await self.of(person) in (OPENED, UNSURE):
                return True
        return False

    async def name_of(self, telegram_id: int) -> str | None:
        """The first name the bot knows this person by, if any."""
        return await self.reach.name_of(telegram_id)

    async def opened(self, telegram_id: int, first_name: str | None) -> int:
        """Someone opened the bot (/start): a member can be reached again; a role holder's
        first name and the time are kept, so /grant knows and reports can name them; and a
        role holder is sent, in order, what could not reach them before (results packs,
        urgent notices), as an invitation link would (one transaction). Return how many."""
        role_holder = bool(await self.roles.roles_of(telegram_id))
        async with outbox(self.reach, self.delivery) as box:
            await self.reach.opened(telegram_id, first_name, self.clock.now(), tx=box.tx)
            copies = await box.resend_waiting(telegram_id) if role_holder else []
        return len(copies)

    # Following the delivery engine

    async def progress(self, status: BroadcastStatus) -> int | None:
        """Progress is for coordinators' own messages: nothing to do here."""
        return None

    async def finished(self, status: BroadcastStatus) -> None:
        """A broadcast ended: check at once what it may have left unreached. Never raises
        (the engine would try a coordinator's delivery report again)."""
        try:
            if status.broadcast.kind in (KIND_RESULTS, SURVEY_RESULTS):
                await self.warn_about_packs()
            elif status.broadcast.kind == KIND_URGENT:
                await self.tell_unpassed_requests()
        except Exception as exc:  # the sweep tries again
            logger.error("unreached check failed: %s", type(exc).__name__)

    async def sweep(self) -> None:
        """Both checks (at start and every minute): what a crash or a failed write left."""
        await self.warn_about_packs()
        await self.tell_unpassed_requests()

    async def warn_about_packs(self) -> int:
        """Tell every coordinator, once per pack and person, about each decision-maker a
        results pack could not reach; return how many warnings were queued."""
        queued = await self._warn_about_survey_packs()
        unreached = await self.warnings.unwarned()
        if not unreached:
            return queued
        coordinators = await self.roles.coordinators()
        for reader in unreached:
            consultation = await self.consultations.get(reader.consultation_id)
            if consultation is None:
                continue
            kind = why(reader.state, reader.reason)
            text = self.messages.pack_unreached(
                consultation.question, reader.name, reader.telegram_id, kind
            )
            try:
                async with outbox(self.requests, self.delivery) as box:
                    now = self.clock.now()
                    if not await self.warnings.record(
                        reader.consultation_id, reader.telegram_id, kind, now, box.tx
                    ):
                        continue
                    broadcast_id = await box.send(
                        KIND_PACK_WARNING, text, coordinators, audience="coordinators"
                    )
                    if broadcast_id is not None:
                        await self.warnings.set_broadcast(
                            reader.consultation_id, reader.telegram_id, broadcast_id, box.tx
                        )
                queued += 1
            except Exception as exc:
                logger.error("results warning not queued this time: %s", type(exc).__name__)
        return queued

    async def _warn_about_survey_packs(self) -> int:
        """As ``warn_about_packs``, for surveys' packs to their chosen decision-makers: the
        warning is labelled with the survey and the person, and that label, checked in the
        transaction that queues it, makes it once per pack and person."""
        if self.surveys is None:
            return 0
        unreached = await self.warnings.unwarned_surveys(SURVEY_RESULTS, KIND_PACK_WARNING)
        if not unreached:
            return 0
        coordinators = await self.roles.coordinators()
        queued = 0
        for reader in unreached:
            survey = await self.surveys.get(reader.survey_id)
            if survey is None:
                continue
            kind = why(reader.state, reader.reason)
            text = self.messages.pack_unreached(survey.title, reader.name, reader.telegram_id, kind)
            label = survey_warning_label(reader.survey_id, reader.telegram_id)
            try:
                async with outbox(self.requests, self.delivery) as box:
                    if await self.warnings.survey_warned(
                        reader.survey_id, reader.telegram_id, KIND_PACK_WARNING, box.tx
                    ):
                        continue
                    sent = await box.send(KIND_PACK_WARNING, text, coordinators, audience=label)
                queued += sent is not None
            except Exception as exc:
                logger.error("results warning not queued this time: %s", type(exc).__name__)
        return queued

    async def tell_unpassed_requests(self) -> int:
        """Tell each person whose urgent request reached no coordinator, once, that it could
        not be passed on (with 999 and Samaritans); return how many were told."""
        told = 0
        for request in await self.requests.reached_nobody():
            try:
                async with outbox(self.requests, self.delivery) as box:
                    if not await self.requests.mark_unreached(request.id, self.clock.now(), box.tx):
                        continue
                    await box.send(
                        KIND_NOT_PASSED_ON,
                        self.messages.not_passed_on(),
                        [request.telegram_id],
                        urgent=True,
                        must_reach=True,
                    )
                told += 1
            except Exception as exc:
                logger.error("a person was not told this time: %s", type(exc).__name__)
        return told
