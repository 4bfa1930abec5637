"""My journey: a member's own record of what they have done with the forum, the skills they
chose to add, what they chose to hide, and a one-page summary they can use when applying.

Everything is built from recorded facts only: meetings marked as attended, consultations and
surveys answered (counts), opportunities taken part in or completed, and contributions a
coordinator recorded. The summary holds nothing about anyone's history or support needs:
`Summary` has no field for it, by design.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.services.errors import InvalidChoice, NotAMember
from bot.services.journey.items import (
    CONTRIBUTION,
    MEETING,
    OPPORTUNITY,
    SECTIONS,
    item_name,
    read_item,
)
from bot.services.journey.pdf import SummaryPage, render_summary
from bot.services.journey.skills import (
    MOST_SKILLS,
    OwnWordsRefused,
    Skill,
    SkillList,
    read_own_words,
)
from storage.journey import JourneyRepository

__all__ = [
    "Entry",
    "Journey",
    "JourneyService",
    "OwnWordsRefused",
    "SkillEntry",
    "Summary",
    "SummaryPage",
]

LATEST_MEETINGS = 3  # meetings named on /journey; the rest are counted
HIDE_LIST_MEETINGS = 5  # meetings offered one by one on the hide list (older: hide the section)


@dataclass(frozen=True)
class Entry:
    """One thing on the record that can be hidden: a section, a meeting, an opportunity or a
    contribution. ``title`` is the meeting's or opportunity's title or the contribution's few
    words (None for a section or a contribution without words); ``state`` is the outcome
    ('took_part', 'completed') or the contribution's kind; ``section`` is the section's key."""

    item: str
    kind: str
    title: str | None = None
    when: datetime | None = None
    state: str | None = None

    @property
    def section(self) -> str | None:
        """The section's key for a section entry, else None."""
        return self.item if self.kind == "section" else None


@dataclass(frozen=True)
class SkillEntry:
    """A skill a member holds, with its name to show (a listed name, or their own words)."""

    id: int
    name: str
    own_words: bool


@dataclass(frozen=True)
class Journey:
    """A member's record as they see it on /journey (hidden items left out)."""

    first_name: str
    joined_at: datetime
    meetings: tuple[Entry, ...]  # visible meetings, newest first
    consultations: int
    surveys: int
    opportunities: tuple[Entry, ...]
    contributions: tuple[Entry, ...]
    skills: tuple[SkillEntry, ...]
    hidden: tuple[Entry, ...]  # what they hid, to show again
    hidden_sections: frozenset[str]

    def shows(self, section: str) -> bool:
        """Whether a section is shown (not hidden)."""
        return section not in self.hidden_sections

    @property
    def latest_meetings(self) -> tuple[Entry, ...]:
        """The few newest meetings named on /journey."""
        return self.meetings[:LATEST_MEETINGS]

    def hideable(self) -> tuple[Entry, ...]:
        """What can be hidden now: shown sections, then shown items in them."""
        entries = [Entry(section, "section") for section in SECTIONS if self.shows(section)]
        if self.shows("meetings"):
            entries += self.meetings[:HIDE_LIST_MEETINGS]
        if self.shows("opportunities"):
            entries += self.opportunities
        if self.shows("contributions"):
            entries += self.contributions
        return tuple(entries)


@dataclass(frozen=True)
class Summary:
    """What the summary PDF may say, and nothing else: first name, the day it is made, and the
    member's shown record (None or empty: hidden or nothing to say)."""

    first_name: str
    made_at: datetime
    joined_at: datetime | None
    meetings: int | None
    consultations: int | None
    surveys: int | None
    opportunities: tuple[Entry, ...]
    contributions: tuple[Entry, ...]
    skills: tuple[str, ...]


class JourneyService:
    """Reads a member's journey and keeps their skills and hidden items."""

    def __init__(self, repository: JourneyRepository, skills: SkillList, clock: Clock) -> None:
        self._rows = repository
        self.skill_list = skills
        self._clock = clock

    async def record(self, member_id: int) -> Journey:
        """The member's journey; NotAMember for anyone who has not joined."""
        member = await self._rows.member(member_id)
        if member is None or not member.setup_done:
            raise NotAMember()
        hidden = await self._rows.hidden(member_id)
        meetings = [
            Entry(item_name(MEETING, m.id), MEETING, m.title, m.starts_at)
            for m in await self._rows.meetings(member_id)
        ]
        opportunities = [
            Entry(
                item_name(OPPORTUNITY, o.opportunity_id),
                OPPORTUNITY,
                o.title,
                o.recorded_at,
                o.outcome,
            )
            for o in await self._rows.outcomes(member_id)
        ]
        contributions = [
            Entry(item_name(CONTRIBUTION, c.id), CONTRIBUTION, c.detail, c.happened_on, c.kind)
            for c in await self._rows.contributions(member_id)
        ]
        everything = meetings + opportunities + contributions
        sections = frozenset(hidden & set(SECTIONS))
        return Journey(
            first_name=member.first_name,
            joined_at=member.joined_at,
            meetings=tuple(m for m in meetings if m.item not in hidden),
            consultations=await self._rows.consultations_answered(member_id),
            surveys=await self._rows.surveys_answered(member_id),
            opportunities=tuple(o for o in opportunities if o.item not in hidden),
            contributions=tuple(c for c in contributions if c.item not in hidden),
            skills=tuple(await self._skills(member_id)),
            hidden=tuple(
                [Entry(section, "section") for section in SECTIONS if section in sections]
                + [entry for entry in everything if entry.item in hidden]
            ),
            hidden_sections=sections,
        )

    async def _skills(self, member_id: int) -> list[SkillEntry]:
        """The member's skills with their names (a key the file no longer lists: as stored)."""
        return [
            SkillEntry(
                row.id,
                row.skill if row.own_words else self.skill_list.name_of(row.skill) or row.skill,
                row.own_words,
            )
            for row in await self._rows.skills(member_id)
        ]

    async def skills_to_add(self, member_id: int) -> list[Skill]:
        """Listed skills the member does not hold yet."""
        await self._member(member_id)
        held = {row.skill for row in await self._rows.skills(member_id) if not row.own_words}
        return [skill for skill in self.skill_list.skills if skill.key not in held]

    async def skills_held(self, member_id: int) -> list[SkillEntry]:
        """The member's skills, to remove."""
        await self._member(member_id)
        return await self._skills(member_id)

    async def add_listed(self, member_id: int, key: str) -> str:
        """Add a listed skill: 'added', 'already' or 'full'; InvalidChoice for a key the list
        does not hold (a forged or stale button)."""
        await self._member(member_id)
        if self.skill_list.name_of(key) is None:
            raise InvalidChoice()
        return await self._rows.add_skill(member_id, key, False, self._clock.now(), MOST_SKILLS)

    async def add_own(self, member_id: int, text: str) -> tuple[str, str]:
        """Add a skill in the member's own words: ('added' | 'already' | 'full', the words as
        kept). Words naming a listed skill add that skill. OwnWordsRefused says why typed words
        cannot be kept."""
        await self._member(member_id)
        words = read_own_words(text)
        listed = self.skill_list.matching(words)
        if listed is not None:
            outcome = await self._rows.add_skill(
                member_id, listed.key, False, self._clock.now(), MOST_SKILLS
            )
            return outcome, listed.name
        outcome = await self._rows.add_skill(member_id, words, True, self._clock.now(), MOST_SKILLS)
        return outcome, words

    async def remove_skill(self, member_id: int, skill_id: int) -> bool:
        """Remove one of the member's skills; False if it was not theirs or is gone already."""
        await self._member(member_id)
        return await self._rows.remove_skill(member_id, skill_id)

    async def hide(self, member_id: int, item: str) -> None:
        """Hide a section or an item on the member's own record; InvalidChoice for anything
        else (checked again in the database)."""
        await self._member(member_id)
        if not await self._is_theirs(member_id, item):
            raise InvalidChoice()
        await self._rows.hide(member_id, item)

    async def unhide(self, member_id: int, item: str) -> bool:
        """Show a hidden section or item again; False if it was not hidden."""
        await self._member(member_id)
        return await self._rows.unhide(member_id, item)

    async def _is_theirs(self, member_id: int, item: str) -> bool:
        """Whether an item name is a section, or an item on this member's record."""
        parsed = read_item(item)
        if parsed is None:
            return False
        kind, item_id = parsed
        if kind == "section":
            return True
        return await self._rows.owns(member_id, kind, item_id)

    async def summary(self, member_id: int) -> Summary:
        """What the summary PDF says: the shown record only, never anything hidden."""
        journey = await self.record(member_id)
        shows = journey.shows
        return Summary(
            first_name=journey.first_name,
            made_at=self._clock.now(),
            joined_at=journey.joined_at if shows("joined") else None,
            meetings=len(journey.meetings) if shows("meetings") else None,
            consultations=journey.consultations if shows("answers") else None,
            surveys=journey.surveys if shows("answers") else None,
            opportunities=journey.opportunities if shows("opportunities") else (),
            contributions=journey.contributions if shows("contributions") else (),
            skills=tuple(s.name for s in journey.skills) if shows("skills") else (),
        )

    async def summary_pdf(self, page: SummaryPage) -> bytes:
        """The summary page as a one-page PDF, made on a worker thread (off the event loop)."""
        return await asyncio.to_thread(render_summary, page)

    async def member_data(self, member_id: int) -> dict[str, list]:
        """For /mydata: the member's skills and hidden items, as stored."""
        skills = await self._rows.skills(member_id)
        return {
            "skills": [
                {
                    "skill": row.skill,
                    "own_words": row.own_words,
                    "added_at": row.added_at.isoformat(),
                }
                for row in skills
            ],
            "hidden_from_journey": sorted(await self._rows.hidden(member_id)),
        }

    async def _member(self, member_id: int) -> None:
        """NotAMember unless the person has joined."""
        member = await self._rows.member(member_id)
        if member is None or not member.setup_done:
            raise NotAMember()
