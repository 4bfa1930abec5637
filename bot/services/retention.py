"""Keeping data only as long as needed (config/retention.yaml), applied once a day.

- Activity: ``ActivityTracker.seen`` is called for every message and button press; it costs
  one set lookup, and a member is written as active at most once a day, in batches
  (``flush``, every minute and before each run).
- A member with no activity for ``ask_after_no_activity`` is asked once, through the delivery
  engine (quiet hours kept), whether they want to stay: the ask is marked in the transaction
  that queues it. Pressing "Stay", or any activity, answers it. With no answer for
  ``remove_after_no_answer`` they are removed through the one erasure path, as by /leave
  (``MemberService.erase``). Members who hold a role are never asked or removed while they
  hold it.
- Contact notes marked done, finished broadcasts' texts and delivery rows (their counts kept),
  audit entries and the answers of surveys closed ``survey_answers`` ago (each survey marked,
  so /results says when) are deleted by age, in one transaction; then the file is scrubbed,
  so what was deleted leaves the disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.retention_policy import Duration, RetentionPolicy
from bot.services.members import MemberService
from bot.services.roles import LastCoordinator, RoleService
from storage.audit import AuditRepository
from storage.db import Database
from storage.retention import Activity, Cutoffs, RetentionRepository

logger = logging.getLogger(__name__)

KIND_ASK = "retention_ask"  # the question "do you want to stay?"
PREVIEW_DAYS = 30  # /retention looks this far ahead

# (text_html, reply_markup: Bot API JSON or python-telegram-bot's markup)
Rendered = tuple[str, object]


class RetentionMessages(Protocol):
    """How the question to a member looks; the handlers layer provides it."""

    def ask_to_stay(self, answer_within: Duration) -> Rendered: ...


class ActivityTracker:
    """Remembers who was active today, so each member is written at most once a day."""

    def __init__(self, repository: RetentionRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._day: date = clock.now().date()
        self._seen: set[int] = set()  # everyone seen today (written, or waiting to be)
        self._waiting: set[int] = set()  # seen today, not written yet

    def seen(self, user_id: int) -> None:
        """Someone sent a message or pressed a button: note it (a set lookup when already
        noted today; the write happens in ``flush``)."""
        if user_id in self._seen:
            return
        self._seen.add(user_id)
        self._waiting.add(user_id)

    def waiting(self, user_id: int) -> bool:
        """True when this person was active since the last flush (not written yet)."""
        return user_id in self._waiting

    async def flush(self) -> int:
        """Write who has been active since the last flush; start a new day's memory when the
        day has changed. Return how many were written."""
        waiting, self._waiting = self._waiting, set()
        now = self._clock.now()
        try:
            await self._repository.record_activity(sorted(waiting), now)
        except BaseException:
            self._waiting |= waiting  # kept for the next flush
            raise
        if now.date() != self._day:
            self._day = now.date()
            self._seen = set(self._waiting)
        return len(waiting)


@dataclass(frozen=True)
class RunResult:
    """What one daily run did, as counts only."""

    asked: int
    removed: list[int]  # who was removed (the job forgets their unfinished steps)
    contact_notes: int
    broadcasts: int
    audit_entries: int
    surveys: int  # surveys whose answers were deleted

    def summary(self) -> str:
        """Counts for the log and the audit record, never who."""
        return (
            f"asked {self.asked}, removed {len(self.removed)}, contact notes "
            f"{self.contact_notes}, broadcasts {self.broadcasts}, audit entries "
            f"{self.audit_entries}, survey answers of {self.surveys} surveys"
        )


@dataclass(frozen=True)
class Outlook:
    """What /retention shows: the policy and, as counts, what goes in the next days."""

    policy: RetentionPolicy
    days: int
    to_ask: int
    to_remove: int
    role_holders_inactive: int
    contact_notes: int
    broadcasts: int
    audit_entries: int
    surveys: int  # surveys whose answers go


class RetentionService:
    """Applies the retention policy and says what it will do."""

    def __init__(
        self,
        db: Database,
        repository: RetentionRepository,
        members: MemberService,
        delivery: DeliveryService,
        roles: RoleService,
        audit: AuditRepository,
        clock: Clock,
        policy: RetentionPolicy,
        messages: RetentionMessages,
    ) -> None:
        self._db = db
        self._repository = repository
        self._members = members
        self._delivery = delivery
        self._roles = roles
        self._audit = audit
        self._clock = clock
        self._messages = messages
        self.policy = policy
        self.activity = ActivityTracker(repository, clock)

    def cutoffs(self, at: datetime) -> Cutoffs:
        """What goes at the moment ``at``: anything at or before each cutoff."""
        policy = self.policy
        return Cutoffs(
            inactive=policy.ask_after_no_activity.before(at),
            asked=policy.remove_after_no_answer.before(at),
            done=policy.contact_notes.before(at),
            finished=policy.finished_broadcasts.before(at),
            audit=policy.audit_entries.before(at),
            survey_closed=policy.survey_answers.before(at),
        )

    # A member's answer

    async def stay(self, member_id: int) -> bool:
        """The member pressed "Stay": active now, not asked any more. False when they are not
        a member (left or removed already)."""
        return await self._repository.stay(member_id, self._clock.now())

    async def member_activity(self, member_id: int) -> Activity | None:
        """What is stored about one member's activity (for /mydata), or None."""
        return await self._repository.activity(member_id)

    # The daily run

    async def run(self) -> RunResult:
        """Apply the policy once: ask, remove, delete by age, then scrub the file."""
        await self.activity.flush()  # nobody active today is asked or removed
        await self._repository.forget_role_holders_asks()
        now = self._clock.now()
        cutoffs = self.cutoffs(now)
        asked = await self._ask(cutoffs.inactive, now)
        removed = await self._remove(cutoffs.asked)
        deleted = await self._repository.clean_up(cutoffs, now)
        result = RunResult(
            asked,
            removed,
            deleted.contact_notes,
            deleted.broadcasts,
            deleted.audit_entries,
            deleted.surveys,
        )
        if asked or removed or deleted.anything:
            # Erasure scrubs after each member; deletions by age are scrubbed here, so what
            # went leaves the database file and its write-ahead log.
            if deleted.anything:
                await self._db.scrub()
            await self._audit.record(None, "retention.applied", now, detail=result.summary())
        return result

    async def _ask(self, inactive: datetime, now: datetime) -> int:
        """Ask, once, every member inactive since ``inactive``: the mark and the question in
        one transaction, the worker woken after it commits."""
        text_html, markup = self._messages.ask_to_stay(self.policy.remove_after_no_answer)
        async with self._repository.transaction() as tx:
            members = await self._repository.members_to_ask(inactive, tx)
            if not members:
                return 0
            await self._repository.mark_asked(members, now, tx)
            await self._delivery.enqueue(
                KIND_ASK, text_html, members, reply_markup=markup, audience="retention", tx=tx
            )
        self._delivery.wake()
        return len(members)

    async def _remove(self, asked: datetime) -> list[int]:
        """Remove, as by /leave, every member asked at or before ``asked`` who has not
        answered or been active since; each checked again right before."""
        removed = []
        for member_id in await self._repository.members_to_remove(asked):
            if self.activity.waiting(member_id) or not await self._repository.still_to_remove(
                member_id, asked
            ):
                continue  # active, or given a role, since the list was read
            try:
                if await self._members.erase(member_id):
                    removed.append(member_id)
            except LastCoordinator:  # cannot happen for someone without a role; kept safe
                continue
        return removed

    # Looking ahead

    async def outlook(self, actor_id: int, days: int = PREVIEW_DAYS) -> Outlook:
        """For coordinators only: the policy, and what it will remove in the next ``days``
        days if nothing changes (members asked may still answer)."""
        await self._roles.require_coordinator(actor_id, "retention")
        await self.activity.flush()
        now = self._clock.now()
        horizon = now + timedelta(days=days)
        ahead = self.cutoffs(horizon)
        repository = self._repository
        # Someone not asked yet is removed in time only if the answer time ends by then too.
        answer_by = self.policy.remove_after_no_answer.before(horizon)
        unasked_removed = (
            self.policy.ask_after_no_activity.before(answer_by) if answer_by >= now else None
        )
        return Outlook(
            policy=self.policy,
            days=days,
            to_ask=await repository.count_to_ask(ahead.inactive),
            to_remove=await repository.count_to_remove(ahead.asked, unasked_removed),
            role_holders_inactive=await repository.count_role_holders_inactive(
                self.cutoffs(now).inactive
            ),
            contact_notes=await repository.count_contact_notes(ahead.done),
            broadcasts=await repository.count_broadcasts(ahead.finished),
            audit_entries=await repository.count_audit_entries(ahead.audit),
            surveys=await repository.count_surveys(ahead.survey_closed),
        )
