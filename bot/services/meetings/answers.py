"""Members' side of meetings: answers (going, maybe, can't) until the start, what a member
is invited to, and what they gave."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.services.errors import InvalidChoice, NotAMember
from bot.services.meetings.rules import MeetingGone, MeetingStarted
from storage.audit import AuditRepository
from storage.meetings import ANSWERS, SCHEDULED, Meeting, MeetingRepository
from storage.members import Member, MemberRepository


@dataclass(frozen=True)
class MemberMeeting:
    """An upcoming meeting as one member sees it."""

    meeting: Meeting
    answer: str | None


async def open_meeting(meetings: MeetingRepository, meeting_id: int, clock: Clock) -> Meeting:
    """A scheduled meeting that has not started, or the refusal that says why not."""
    meeting = await meetings.get(meeting_id)
    if meeting is None or meeting.state != SCHEDULED:
        raise MeetingGone
    if meeting.starts_at <= clock.now():
        raise MeetingStarted
    return meeting


@dataclass(eq=False)
class MeetingAnswers:
    """A member's answers and the meetings they may see."""

    meetings: MeetingRepository
    members: MemberRepository
    audit: AuditRepository
    clock: Clock

    async def _member(self, member_id: int) -> Member:
        """A member who has joined, or NotAMember."""
        member = await self.members.get(member_id)
        if member is None:
            raise NotAMember
        return member

    async def rsvp(self, member_id: int, meeting_id: int, answer: str) -> Meeting:
        """Record or change a member's answer (until the meeting starts)."""
        if answer not in ANSWERS:
            raise InvalidChoice
        member = await self._member(member_id)
        meeting = await open_meeting(self.meetings, meeting_id, self.clock)
        if not await self._may_see(meeting, member):
            raise InvalidChoice
        previous = await self.meetings.answer_of(meeting_id, member_id)
        await self.meetings.set_answer(meeting_id, member_id, answer, self.clock.now())
        if previous != answer:
            await self.audit.record(
                member_id,
                "meeting.answered",
                self.clock.now(),
                detail=f"meeting {meeting_id}: {answer}",
            )
        return meeting

    async def for_member(self, member_id: int) -> list[MemberMeeting]:
        """A member's upcoming meetings with their answers, soonest first."""
        member = await self._member(member_id)
        meetings = await self.meetings.upcoming_for(
            self.clock.now(), member_id, member.region_id, member.hub_id
        )
        return [MemberMeeting(m, await self.meetings.answer_of(m.id, member_id)) for m in meetings]

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Every meeting answer this member gave, for /mydata."""
        return await self.meetings.answers_by(member_id)

    async def one_for_member(self, member_id: int, meeting_id: int) -> MemberMeeting:
        """One meeting the member may see (for a calendar file), or a refusal."""
        member = await self._member(member_id)
        meeting = await self.meetings.get(meeting_id)
        if meeting is None or meeting.state != SCHEDULED:
            raise MeetingGone
        if not await self._may_see(meeting, member):
            raise InvalidChoice
        return MemberMeeting(meeting, await self.meetings.answer_of(meeting_id, member_id))

    async def _may_see(self, meeting: Meeting, member: Member) -> bool:
        """True when the meeting is for the member's places or they were invited."""
        if meeting.audience_scope == EVERYONE:
            return True
        if meeting.audience_scope == REGION and meeting.audience_place == member.region_id:
            return True
        if meeting.audience_scope == HUB and meeting.audience_place == member.hub_id:
            return True
        return await self.meetings.is_listed(meeting.id, member.telegram_id)
