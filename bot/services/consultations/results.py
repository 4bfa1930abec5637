"""Consultation results: the counts, the packs that never show a count under 5 nor single out
a small group, who may read them, and queueing them once a consultation has closed.

Every figure published about one consultation (the pack's chart, caption, words and CSV for
coordinators and decision-makers, and what members are told) comes from one call of
`protect` on the same counts: members get that result's national figures (`national`), never
a protection of their own, so laying the two side by side tells nobody anything more. Once a
consultation has closed its counts never change, and the first protection is kept and given
again (a solve cut short under load could otherwise hide other figures the second time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.delivery.audience import EVERYONE, REGION
from bot.delivery.outbox import Outbox, outbox
from bot.results.small_groups import SmallGroupRule
from bot.results.suppression import AreaCounts, RawResults, SafeResults, national, protect
from bot.services import results_readers
from bot.services.consultations.base import ConsultationBase
from bot.services.consultations.errors import (
    ConsultationGone,
    NotInvited,
    ResultsHidden,
    ResultsNotReady,
    existing,
)
from bot.services.consultations.messages import (
    KIND_MEMBER_RESULTS,
    KIND_RESULTS,
    ExtraParts,
    PackPart,
    for_members,
)
from storage.consultations import (
    CANCELLED,
    CLOSED,
    NEVER,
    SCHEDULED,
    WHILE_OPEN,
    Consultation,
    PlaceCounts,
)
from storage.results_warnings import ResultsWarningRepository

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEPT_RESULTS = 64  # closed consultations whose protected figures are kept in memory


@dataclass(eq=False)
class ConsultationResults(ConsultationBase, SmallGroupRule):
    """Counts, results packs for coordinators and chosen decision-makers, what people said
    for members, and queueing them all once after closing."""

    def __post_init__(self) -> None:
        """The threshold checked, and the parts built from the fields."""
        super().__post_init__()
        self._kept: dict[int, SafeResults] = {}  # closed consultation id -> what was published
        # Open consultation id -> the last figures counted and their protection: a member's
        # press while nothing has changed does not solve the tables again.
        self._live: dict[int, tuple[RawResults, SafeResults]] = {}
        # Decision-makers' pack parts are linked to their consultation, so one that cannot
        # reach someone becomes a warning to coordinators (bot/services/reach.py).
        self._pack_parts = ResultsWarningRepository(self.db)
        self.extra_parts: ExtraParts | None = None  # a series' trend, added after the pack

    async def tally(self, consultation: Consultation) -> RawResults:
        """Raw figures: from the kept counts once closed, from the answers before that."""
        options = len(consultation.options)
        if consultation.state == CLOSED:
            places = await self.consultations.kept_counts(consultation.id, options)
        else:
            places = await self.consultations.live_counts(consultation.id, options)
        return raw_results(consultation, places)

    async def protected(self, consultation: Consultation) -> SafeResults:
        """The figures safe to publish, with the breakdown by area: counted, then protected
        off the event loop (suppression solves small integer programs). For a closed
        consultation, the same figures every time; for an open one, the same figures for as
        long as the counts stay the same."""
        kept = self._kept.get(consultation.id)
        if kept is not None and consultation.state == CLOSED:
            return kept
        raw = await self.tally(consultation)
        live = self._live.get(consultation.id)
        if live is not None and live[0] == raw and consultation.state != CLOSED:
            return live[1]
        safe = await asyncio.to_thread(protect, raw, self.small_group)
        if consultation.state == CLOSED:
            self._live.pop(consultation.id, None)
            _keep(self._kept, consultation.id, safe)
        else:
            _keep(self._live, consultation.id, (raw, safe))
        return safe

    async def for_member(self, member_id: int, consultation_id: int) -> SafeResults:
        """What people said, for a member who was asked: the national figures of the very
        results the pack shows (never under 5, never a small group)."""
        consultation = await existing(self.consultations, consultation_id)
        if consultation.state in (SCHEDULED, CANCELLED):
            raise ConsultationGone
        answer = await self.consultations.answer_of(consultation_id, member_id)
        if answer is None:
            raise NotInvited
        if consultation.show_results == NEVER:
            raise ResultsHidden
        if consultation.state != CLOSED and not (
            consultation.show_results == WHILE_OPEN and answer.answered
        ):
            raise ResultsNotReady
        return national(await self.protected(consultation))

    async def readable(self, actor_id: int) -> list[Consultation]:
        """Closed consultations this person may see results for: coordinators see all,
        decision-makers those they were chosen for."""
        return await results_readers.readable(self, self.consultations, actor_id)

    async def results_pack(self, actor_id: int, consultation_id: int) -> list[PackPart]:
        """A closed consultation's results pack, for someone allowed to see it (comments are
        for coordinators only)."""
        detail = f"results {consultation_id}"
        coordinator = await results_readers.may_read(
            self, self.consultations, actor_id, consultation_id, detail
        )
        consultation = await existing(self.consultations, consultation_id)
        if consultation.state == CANCELLED:
            raise ConsultationGone
        if consultation.state != CLOSED:
            raise ResultsNotReady
        return await self._pack(consultation, with_comments=coordinator)

    async def _pack(
        self, consultation: Consultation, with_comments: bool, safe: SafeResults | None = None
    ) -> list[PackPart]:
        """Render a results pack (counted and protected here unless given)."""
        if safe is None:
            safe = await self.protected(consultation)
        comments = await self.consultations.comments(consultation.id) if with_comments else None
        parts = await self.messages.results_pack(consultation, safe, comments)
        if self.extra_parts is not None:
            parts = [*parts, *await self.extra_parts(consultation.id)]
        return parts

    async def try_send(self, consultation: Consultation) -> None:
        """Queue the results pack; a failure is logged and left to the next sweep."""
        try:
            await self._send(consultation)
        except Exception:
            logger.exception("consultation %s results not queued; kept", consultation.id)

    async def _send(self, consultation: Consultation) -> None:
        """Queue the results pack (coordinators with comments, chosen decision-makers
        without) and, unless hidden, what people said to members who answered; once.

        Everything is built first (the closing counts are fixed by then), then the flag and
        every broadcast are written in one transaction: a crash or a failed write leaves
        ``results_sent`` at 0 and nothing queued, so the next sweep queues it all once."""
        if consultation.results_sent:
            return
        coordinators, readers = await results_readers.pack_recipients(
            self, self.consultations, consultation.id
        )
        # One protection for everything published about this consultation.
        safe = await self.protected(consultation)
        packs = [
            (recipients, await self._pack(consultation, with_comments, safe), not with_comments)
            for recipients, with_comments in ((coordinators, True), (readers, False))
            if recipients
        ]
        members: tuple[list[int], str, dict | None] | None = None
        if consultation.show_results != NEVER:
            answered = await self.consultations.invited(consultation.id, answered_only=True)
            if answered:
                told = self.messages.member_results(consultation, national(safe))
                members = (answered, *told)
        async with outbox(self.db, self.delivery) as box:
            if not await self.consultations.take_results(consultation.id, box.tx):
                return  # queued meanwhile by another sweep
            await self._queue(consultation, packs, members, box)

    async def _queue(
        self,
        consultation: Consultation,
        packs: list[tuple[list[int], list[PackPart], bool]],
        members: tuple[list[int], str, dict | None] | None,
        box: Outbox,
    ) -> None:
        """Write the results broadcasts built by ``_send`` in the outbox's transaction."""
        for recipients, parts, for_readers in packs:
            for part in parts:
                broadcast_id = await box.send(
                    KIND_RESULTS, part.text_html, recipients, media=part.media
                )
                if for_readers and broadcast_id is not None:
                    await self._pack_parts.link(broadcast_id, consultation.id, box.tx)
        if members is not None:
            answered, text, markup = members
            await box.send(
                KIND_MEMBER_RESULTS,
                text,
                answered,
                reply_markup=markup,
                **for_members(consultation),
            )


def _keep(memory: dict[int, T], consultation_id: int, value: T) -> None:
    """Remember a value for a consultation, forgetting the oldest past KEPT_RESULTS."""
    memory.pop(consultation_id, None)
    if len(memory) >= KEPT_RESULTS:
        del memory[next(iter(memory))]
    memory[consultation_id] = value


def raw_results(consultation: Consultation, places: Sequence[PlaceCounts]) -> RawResults:
    """National figures and a breakdown: by region for a national consultation, by hub for a
    regional one, none for a hub."""
    options = len(consultation.options)
    if consultation.audience_scope == EVERYONE:
        key = lambda place: place.region_id  # noqa: E731
    elif consultation.audience_scope == REGION:
        key = lambda place: place.hub_id  # noqa: E731
    else:
        key = None
    areas: dict[str, list[int]] = {}
    for place in places:
        if key is None:
            break
        row = areas.setdefault(key(place), [0, 0] + [0] * options)
        row[0] += place.invited
        row[1] += place.answered
        for position, count in enumerate(place.counts):
            row[2 + position] += count
    counts = [sum(place.counts[position] for place in places) for position in range(options)]
    return RawResults(
        options=consultation.options,
        multiple=consultation.multiple,
        invited=sum(place.invited for place in places),
        answered=sum(place.answered for place in places),
        counts=tuple(counts),
        areas=tuple(
            AreaCounts(area_id, row[0], row[1], tuple(row[2:]))
            for area_id, row in sorted(areas.items())
        ),
    )
