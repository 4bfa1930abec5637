"""A member's own record for /journey: what they came to, answered, took part in and were
credited with (read only), and what they keep themselves: skills (member_skills) and items
hidden from their journey (journey_hidden).

Opportunity outcomes and contributions are read here with this module's own SQL (tables from
0015_opportunities.sql); nothing here writes to another feature's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.rows import record
from storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class MemberRow:
    """The member's first name and when they joined."""

    first_name: str
    joined_at: datetime
    setup_done: bool


@dataclass(frozen=True)
class MeetingRow:
    """A meeting the member came to."""

    id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class OutcomeRow:
    """An opportunity the member took part in or completed."""

    opportunity_id: int
    title: str
    kind: str
    outcome: str
    recorded_at: datetime


@dataclass(frozen=True)
class ContributionRow:
    """A contribution a coordinator recorded for the member."""

    id: int
    kind: str
    detail: str | None
    happened_on: datetime


@dataclass(frozen=True)
class SkillRow:
    """A skill the member added: a listed key, or their own words."""

    id: int
    skill: str
    own_words: bool
    added_at: datetime


class JourneyRepository:
    """Reads a member's record; keeps their skills and hidden items."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def member(self, member_id: int) -> MemberRow | None:
        """The member's name and joining time, or None for someone who is not a member."""
        row = await self._db.fetch_one(
            "SELECT first_name, consented_at, setup_done FROM members WHERE telegram_id = ?",
            (member_id,),
        )
        if row is None:
            return None
        return MemberRow(row["first_name"], from_db(row["consented_at"]), bool(row["setup_done"]))

    async def meetings(self, member_id: int) -> list[MeetingRow]:
        """Meetings marked as attended, newest first."""
        rows = await self._db.fetch_all(
            "SELECT m.id, m.title, m.starts_at FROM meeting_rsvps r "
            "JOIN meetings m ON m.id = r.meeting_id "
            "WHERE r.member_id = ? AND r.attended = 1 ORDER BY m.starts_at DESC, m.id DESC",
            (member_id,),
        )
        return [record(MeetingRow, r) for r in rows]

    async def consultations_answered(self, member_id: int) -> int:
        """How many consultations the member answered."""
        return await self._db.fetch_value(
            "SELECT COUNT(*) FROM consultation_invites i WHERE i.member_id = ? AND ("
            "i.answered_at IS NOT NULL OR EXISTS (SELECT 1 FROM consultation_choices c "
            "WHERE c.consultation_id = i.consultation_id AND c.member_id = i.member_id))",
            (member_id,),
        )

    async def surveys_answered(self, member_id: int) -> int:
        """How many surveys the member finished: those whose answers carry their id, and
        those whose invitation says finished (an anonymous survey's only while it is open:
        its invitations are deleted at closing, on purpose)."""
        return await self._db.fetch_value(
            "SELECT COUNT(*) FROM ("
            "SELECT survey_id FROM survey_responses WHERE member_id = :who "
            "UNION SELECT survey_id FROM survey_invites WHERE member_id = :who AND finished = 1)",
            {"who": member_id},
        )

    async def outcomes(self, member_id: int) -> list[OutcomeRow]:
        """Opportunities taken part in or completed, newest first (not 'did not go ahead')."""
        rows = await self._db.fetch_all(
            "SELECT o.opportunity_id, p.title, p.kind, o.outcome, o.recorded_at "
            "FROM opportunity_outcomes o JOIN opportunities p ON p.id = o.opportunity_id "
            "WHERE o.member_id = ? AND o.outcome IN ('took_part', 'completed') "
            "ORDER BY o.recorded_at DESC, o.opportunity_id DESC",
            (member_id,),
        )
        return [record(OutcomeRow, r) for r in rows]

    async def contributions(self, member_id: int) -> list[ContributionRow]:
        """Contributions recorded for the member, newest first."""
        rows = await self._db.fetch_all(
            "SELECT id, kind, detail, happened_on FROM member_contributions "
            "WHERE member_id = ? ORDER BY happened_on DESC, id DESC",
            (member_id,),
        )
        return [record(ContributionRow, r) for r in rows]

    async def skills(self, member_id: int) -> list[SkillRow]:
        """The member's skills in the order they added them."""
        rows = await self._db.fetch_all(
            "SELECT rowid AS id, skill, own_words, added_at FROM member_skills "
            "WHERE member_id = ? ORDER BY added_at, rowid",
            (member_id,),
        )
        return [record(SkillRow, r) for r in rows]

    async def add_skill(
        self, member_id: int, skill: str, own_words: bool, at: datetime, most: int
    ) -> str:
        """Add a skill in one transaction: 'added', 'already' (they have it) or 'full' (they
        hold ``most`` already)."""
        async with self._db.transaction() as tx:
            held = await tx.fetch_value(
                "SELECT COUNT(*) FROM member_skills WHERE member_id = ?", (member_id,)
            )
            same = await tx.fetch_value(
                "SELECT COUNT(*) FROM member_skills WHERE member_id = ? "
                "AND lower(skill) = lower(?)",
                (member_id, skill),
            )
            if same:
                return "already"
            if held >= most:
                return "full"
            await tx.execute(
                "INSERT INTO member_skills (member_id, skill, own_words, added_at) "
                "VALUES (?, ?, ?, ?)",
                (member_id, skill, int(own_words), to_db(at)),
            )
        return "added"

    async def remove_skill(self, member_id: int, skill_id: int) -> bool:
        """Remove one of the member's skills by its id; False if it is not theirs (or gone)."""
        removed = await self._db.execute(
            "DELETE FROM member_skills WHERE rowid = ? AND member_id = ?", (skill_id, member_id)
        )
        return removed > 0

    async def hidden(self, member_id: int) -> set[str]:
        """The items and sections the member hid."""
        rows = await self._db.fetch_all(
            "SELECT item FROM journey_hidden WHERE member_id = ?", (member_id,)
        )
        return {r["item"] for r in rows}

    async def hide(self, member_id: int, item: str) -> None:
        """Hide an item (hiding it twice changes nothing)."""
        await self._db.execute(
            "INSERT OR IGNORE INTO journey_hidden (member_id, item) VALUES (?, ?)",
            (member_id, item),
        )

    async def unhide(self, member_id: int, item: str) -> bool:
        """Show an item again; False if it was not hidden."""
        return (
            await self._db.execute(
                "DELETE FROM journey_hidden WHERE member_id = ? AND item = ?", (member_id, item)
            )
            > 0
        )

    async def owns(self, member_id: int, kind: str, item_id: int) -> bool:
        """Whether an item of this kind ('meeting', 'opportunity', 'contribution') is on the
        member's record."""
        sql = {
            "meeting": "SELECT 1 FROM meeting_rsvps WHERE meeting_id = ? AND member_id = ? "
            "AND attended = 1",
            "opportunity": "SELECT 1 FROM opportunity_outcomes WHERE opportunity_id = ? "
            "AND member_id = ? AND outcome IN ('took_part', 'completed')",
            "contribution": "SELECT 1 FROM member_contributions WHERE id = ? AND member_id = ?",
        }[kind]
        return await self._db.fetch_one(sql, (item_id, member_id)) is not None
