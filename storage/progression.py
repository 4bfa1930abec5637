"""Progression in storage: contributions coordinators record (member_contributions), and the
recorded facts the progression report reads (joined, meetings attended, answers, opportunity
outcomes, contributions), each with the first date it happened. Counts only leave the bot."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Session
from storage.rows import record
from storage.timefmt import to_db

CONTRIBUTION_KINDS = ("meeting_role", "survey_designed", "story_shared", "other")
NAMES_LISTED = 8  # members offered for one typed name


@dataclass(frozen=True)
class Contribution:
    """One contribution recorded for a member (times in UTC)."""

    id: int
    member_id: int
    kind: str
    detail: str
    happened_on: datetime
    recorded_by: int | None
    recorded_at: datetime


@dataclass(frozen=True)
class MemberLine:
    """A member as a coordinator picks them: id, first name, region and hub."""

    telegram_id: int
    first_name: str
    region_id: str | None
    hub_id: str | None


@dataclass(frozen=True)
class FactRanks:
    """Which stage (by position) each kind of recorded fact reaches; None or absent: none."""

    meeting: int | None
    answered: int | None
    outcomes: dict[tuple[str, str], int]  # (opportunity kind, outcome) -> stage
    contributions: dict[str, int]  # contribution kind -> stage


@dataclass(frozen=True)
class Facts:
    """Every member's joining time and region, and the earliest time each member reached each
    stage from a recorded fact: (member id, stage position, UTC ISO text)."""

    members: dict[int, tuple[str, str]]  # id -> (consented_at ISO text, region id or '')
    facts: list[tuple[int, int, str]]  # sorted by member, then stage


@dataclass(frozen=True)
class OpportunityFigures:
    """Opportunities over a period: how many were offered by kind and by the region they were
    for ('' for everyone), and each outcome recorded (kind, outcome, member's region now)."""

    offered: dict[tuple[str, str], int]  # (kind, region id or '') -> how many
    outcomes: list[tuple[str, str, str]]  # (kind, outcome, member's region or '')


class ProgressionRepository:
    """Contributions, and the facts behind the progression report."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def transaction(self):
        """A transaction on the one connection (for an outbox)."""
        return self._db.transaction()

    # Contributions

    async def add_contribution(
        self,
        tx: Session,
        member_id: int,
        kind: str,
        detail: str,
        happened_on: datetime,
        recorded_by: int,
        now: datetime,
    ) -> int:
        """Write one contribution in the caller's transaction; its id."""
        return await tx.insert(
            "INSERT INTO member_contributions (member_id, kind, detail, happened_on, "
            "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            (member_id, kind, detail, to_db(happened_on), recorded_by, to_db(now)),
        )

    async def contributions_of(self, member_id: int) -> list[Contribution]:
        """A member's contributions, oldest first (for /mydata and the journey)."""
        rows = await self._db.fetch_all(
            "SELECT id, member_id, kind, detail, happened_on, recorded_by, recorded_at "
            "FROM member_contributions WHERE member_id = ? ORDER BY happened_on, id",
            (member_id,),
        )
        return [record(Contribution, row, detail=row["detail"] or "") for row in rows]

    # Members

    async def members_named(self, words: str) -> list[MemberLine]:
        """Members whose first name contains ``words`` (any case), at most NAMES_LISTED+1,
        those whose name starts with it first."""
        wanted = words.casefold()
        rows = await self._db.fetch_all(
            "SELECT telegram_id, first_name, region_id, hub_id FROM members "
            "WHERE setup_done = 1 ORDER BY first_name, telegram_id"
        )
        found = [row for row in rows if wanted in row["first_name"].casefold()]
        found.sort(key=lambda row: not row["first_name"].casefold().startswith(wanted))
        return [
            MemberLine(row["telegram_id"], row["first_name"], row["region_id"], row["hub_id"])
            for row in found[: NAMES_LISTED + 1]
        ]

    async def member(self, telegram_id: int) -> MemberLine | None:
        """One member who has finished joining, or None."""
        row = await self._db.fetch_one(
            "SELECT telegram_id, first_name, region_id, hub_id FROM members "
            "WHERE telegram_id = ? AND setup_done = 1",
            (telegram_id,),
        )
        if row is None:
            return None
        return MemberLine(row["telegram_id"], row["first_name"], row["region_id"], row["hub_id"])

    # The report's facts

    async def facts(self, now: datetime, ranks: FactRanks) -> Facts:
        """Every member's joining and, for each stage, the first recorded fact reaching it
        (see `Facts`), grouped here so a large forum sends few rows (whole-table scans where
        most rows are read anyway: `make bench`, progression_report_ms). Meetings count once they
        started and the member is marked as came; a consultation answer is dated by its time,
        else by the closing; survey answers have no time kept: dated by the survey's closing,
        or now while it is open. Outcomes count only as `ranks` says (never did_not_go_ahead)."""
        moment = to_db(now)
        parts: list[str] = []
        params: list[object] = []
        if ranks.meeting is not None:
            parts.append(
                "SELECT r.member_id AS member_id, ? AS rank, MIN(m.starts_at) AS at "
                "FROM meeting_rsvps r NOT INDEXED CROSS JOIN meetings m ON m.id = r.meeting_id "
                "WHERE r.attended = 1 AND m.starts_at <= ? GROUP BY r.member_id"
            )
            params += [ranks.meeting, moment]
        if ranks.answered is not None:
            parts.append(
                "SELECT i.member_id, ?, MIN(COALESCE(i.answered_at, c.closes_at)) "
                "FROM consultation_invites i NOT INDEXED CROSS JOIN consultations c "
                "ON c.id = i.consultation_id WHERE i.answered_at IS NOT NULL OR EXISTS "
                "(SELECT 1 FROM consultation_choices x WHERE x.consultation_id = "
                "i.consultation_id AND x.member_id = i.member_id) GROUP BY i.member_id"
            )
            parts.append(
                "SELECT a.member_id, ?, MIN(s.closes_at, ?) FROM ("
                "SELECT member_id, survey_id FROM survey_responses WHERE member_id IS NOT NULL "
                "UNION SELECT member_id, survey_id FROM survey_invites WHERE finished = 1"
                ") a JOIN surveys s ON s.id = a.survey_id"
            )
            params += [ranks.answered, ranks.answered, moment]
        ctes: list[str] = []
        if ranks.outcomes:
            ctes.append(_values_table("orank(kind, outcome, rank)", 3, len(ranks.outcomes)))
            parts.append(
                "SELECT o.member_id, q.rank, o.recorded_at FROM orank q "
                "CROSS JOIN opportunities p ON p.kind = q.kind "
                "CROSS JOIN opportunity_outcomes o "
                "ON o.opportunity_id = p.id AND o.outcome = q.outcome"
            )
        if ranks.contributions:
            ctes.append(_values_table("crank(kind, rank)", 2, len(ranks.contributions)))
            parts.append(
                "SELECT x.member_id, k.rank, x.happened_on FROM member_contributions x "
                "JOIN crank k ON k.kind = x.kind"
            )
        cte_params: list[object] = []
        for (kind, outcome), rank in ranks.outcomes.items():
            cte_params += [kind, outcome, rank]
        for kind, rank in ranks.contributions.items():
            cte_params += [kind, rank]
        sql = (
            ("WITH " + ", ".join(ctes) + " " if ctes else "")
            + "SELECT member_id, rank, MIN(at) FROM ("
            + " UNION ALL ".join(parts)
            + ") GROUP BY member_id, rank ORDER BY member_id, rank"
        )

        def read(conn: sqlite3.Connection) -> Facts:
            """Both reads in one snapshot, as plain tuples (a large forum has many rows)."""
            cursor = conn.cursor()
            cursor.row_factory = None
            members = {
                row[0]: (row[1], row[2] or "")
                for row in cursor.execute(
                    "SELECT telegram_id, consented_at, region_id FROM members"
                )
            }
            facts = cursor.execute(sql, [*cte_params, *params]).fetchall() if parts else []
            return Facts(members, facts)

        return await self._db.atomically(read)

    async def opportunity_figures(self, since: datetime, until: datetime) -> OpportunityFigures:
        """Opportunities posted in the period (not cancelled) by kind and region, and the
        outcomes recorded in it with the member's region now (members who left are gone)."""
        offered: dict[tuple[str, str], int] = {}
        for row in await self._db.fetch_all(
            "SELECT kind, audience_scope, audience_place, COUNT(*) FROM opportunities "
            "WHERE state != 'cancelled' AND created_at >= ? AND created_at <= ? "
            "GROUP BY kind, audience_scope, audience_place",
            (to_db(since), to_db(until)),
        ):
            key = (row[0], row[2] if row[1] == "region" else (f"hub:{row[2]}" if row[2] else ""))
            offered[key] = offered.get(key, 0) + row[3]
        outcomes = [
            (row[0], row[1], row[2] or "")
            for row in await self._db.fetch_all(
                "SELECT p.kind, o.outcome, m.region_id FROM opportunity_outcomes o "
                "JOIN opportunities p ON p.id = o.opportunity_id "
                "JOIN members m ON m.telegram_id = o.member_id "
                "WHERE o.outcome IN ('took_part', 'completed') "
                "AND o.recorded_at >= ? AND o.recorded_at <= ?",
                (to_db(since), to_db(until)),
            )
        ]
        return OpportunityFigures(offered, outcomes)


async def delete_contributions(tx: Session, telegram_id: int) -> None:
    """Erasure: a member's contributions go; ones they recorded keep no recorder."""
    await tx.execute("DELETE FROM member_contributions WHERE member_id = ?", (telegram_id,))
    await tx.execute(
        "UPDATE member_contributions SET recorded_by = NULL WHERE recorded_by = ?",
        (telegram_id,),
    )


def _values_table(head: str, columns: int, rows: int) -> str:
    """A CTE of ``rows`` rows of ``columns`` placeholders: "name(a, b) AS (VALUES (?, ?), ...)"."""
    row = "(" + ", ".join("?" * columns) + ")"
    return f"{head} AS (VALUES " + ", ".join(row for _ in range(rows)) + ")"
