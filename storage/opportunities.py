"""Opportunities: the offers, who showed interest (and who was chosen), what came of it, and
which kinds each member wants to hear about. Also the read other features use: a member's
outcomes with the opportunity's kind, title and time (`member_outcomes`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage.audience import HasAudience, reachable_in
from storage.db import Database, Session
from storage.rows import record
from storage.timefmt import to_db


@dataclass(frozen=True)
class OpportunityWords:
    """What a coordinator writes about an opportunity: its kind and the words members read."""

    kind: str
    title: str
    involves: str
    gives: str
    time_needed: str
    place: str


@dataclass(frozen=True)
class NewOpportunity(OpportunityWords):
    """An opportunity to store (checked by the service)."""

    paid: bool
    places: int | None
    audience_scope: str
    audience_place: str | None
    closes_at: datetime


@dataclass(frozen=True)
class Opportunity(NewOpportunity, HasAudience):
    """One opportunity as stored: what was stored, its id, state and times."""

    id: int
    state: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class Interest:
    """One member's interest in one opportunity, with their first name (for coordinators)."""

    opportunity_id: int
    member_id: int
    first_name: str | None
    note: str | None
    state: str
    created_at: datetime
    updated_at: datetime
    outcome: str | None


@dataclass(frozen=True)
class MemberOutcome:
    """What came of an opportunity for a member: its kind, title, outcome and when recorded."""

    opportunity_id: int
    kind: str
    title: str
    outcome: str
    recorded_at: datetime


@dataclass(frozen=True)
class MemberInterest:
    """An opportunity a member showed interest in: its kind, title and the interest's state."""

    opportunity_id: int
    kind: str
    title: str
    state: str
    note: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Counts:
    """How many people are at each interest state for one opportunity."""

    interested: int = 0
    withdrawn: int = 0
    chosen: int = 0
    not_chosen: int = 0


_COLUMNS = (
    "id, kind, title, involves, gives, time_needed, place, paid, places, audience_scope, "
    "audience_place, closes_at, state, created_by, created_at, updated_at, ended_at"
)
_O_COLUMNS = ", ".join(f"o.{name.strip()}" for name in _COLUMNS.split(","))


def _visible(alias: str = "o") -> str:
    """Who may see it: everyone, their region or their hub (values: region, hub)."""
    return (
        f"({alias}.audience_scope = 'everyone' "
        f"OR ({alias}.audience_scope = 'region' AND {alias}.audience_place = ?) "
        f"OR ({alias}.audience_scope = 'hub' AND {alias}.audience_place = ?))"
    )


class OpportunityRepository:
    """Reads and writes the opportunity tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # Opportunities

    async def create(
        self, new: NewOpportunity, actor_id: int | None, now: datetime, tx: Session
    ) -> int:
        """Store a new open opportunity; return its id."""
        return await tx.insert(
            "INSERT INTO opportunities (kind, title, involves, gives, time_needed, place, paid, "
            "places, audience_scope, audience_place, closes_at, state, created_by, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (
                new.kind,
                new.title,
                new.involves,
                new.gives,
                new.time_needed,
                new.place,
                int(new.paid),
                new.places,
                new.audience_scope,
                new.audience_place,
                to_db(new.closes_at),
                actor_id,
                to_db(now),
                to_db(now),
            ),
        )

    async def get(self, opportunity_id: int, tx: Session | None = None) -> Opportunity | None:
        """The opportunity with this id, or None."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM opportunities WHERE id = ?", (opportunity_id,)
        )
        return record(Opportunity, row) if row else None

    async def move_state(
        self,
        opportunity_id: int,
        from_states: Iterable[str],
        to: str,
        now: datetime,
        tx: Session,
    ) -> bool:
        """Change the state only from one of ``from_states``; True for the one caller that
        moved it (``ended`` stamps ``ended_at``)."""
        states = tuple(from_states)
        marks = ", ".join("?" for _ in states)
        ended = ", ended_at = ?" if to == "ended" else ""
        values: list[object] = [to, to_db(now)]
        if to == "ended":
            values.append(to_db(now))
        changed = await tx.execute(
            f"UPDATE opportunities SET state = ?, updated_at = ?{ended} "
            f"WHERE id = ? AND state IN ({marks})",
            [*values, opportunity_id, *states],
        )
        return changed == 1

    async def running(self) -> list[Opportunity]:
        """Opportunities not ended or cancelled, newest first (coordinators' list)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM opportunities WHERE state IN ('open', 'closed') "
            "ORDER BY created_at DESC, id DESC"
        )
        return [record(Opportunity, row) for row in rows]

    async def past_closing(self, now: datetime) -> list[Opportunity]:
        """Open opportunities whose closing date has passed, oldest closing first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM opportunities WHERE state = 'open' AND closes_at <= ? "
            "ORDER BY closes_at, id",
            (to_db(now),),
        )
        return [record(Opportunity, row) for row in rows]

    async def open_visible(
        self, region_id: str | None, hub_id: str | None, now: datetime
    ) -> list[Opportunity]:
        """Open opportunities a member in this region and hub may see, newest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM opportunities o WHERE o.state = 'open' "
            f"AND o.closes_at > ? AND {_visible()} ORDER BY o.created_at DESC, o.id DESC",
            (to_db(now), region_id, hub_id),
        )
        return [record(Opportunity, row) for row in rows]

    # Who hears about one

    async def matching(
        self,
        kind: str,
        default: bool,
        region_id: str | None,
        hub_id: str | None,
        now: datetime,
        tx: Session | None = None,
    ) -> list[int]:
        """Members in the place (None: everywhere) who want this kind (``default`` when they
        have not chosen), are not paused and can be reached, in joining order."""
        clauses, values = reachable_in(now, region_id, hub_id, "m")
        clauses.append(
            "COALESCE((SELECT k.wanted FROM member_opportunity_kinds k "
            "WHERE k.member_id = m.telegram_id AND k.kind = ?), ?) = 1"
        )
        values += [kind, int(default)]
        rows = await (tx or self._db).fetch_all(
            f"SELECT m.telegram_id FROM members m WHERE {' AND '.join(clauses)} "
            "ORDER BY m.consented_at, m.telegram_id",
            values,
        )
        return [row["telegram_id"] for row in rows]

    async def chosen_kinds(self, member_id: int) -> dict[str, bool]:
        """The kinds this member has chosen on or off (kinds absent: their default)."""
        rows = await self._db.fetch_all(
            "SELECT kind, wanted FROM member_opportunity_kinds WHERE member_id = ?", (member_id,)
        )
        return {row["kind"]: bool(row["wanted"]) for row in rows}

    async def set_kind(self, member_id: int, kind: str, wanted: bool) -> None:
        """Remember whether this member wants this kind."""
        await self._db.execute(
            "INSERT INTO member_opportunity_kinds (member_id, kind, wanted) VALUES (?, ?, ?) "
            "ON CONFLICT (member_id, kind) DO UPDATE SET wanted = excluded.wanted",
            (member_id, kind, int(wanted)),
        )

    # Interest

    async def interest(
        self, opportunity_id: int, member_id: int, tx: Session | None = None
    ) -> Interest | None:
        """One member's interest in one opportunity, or None."""
        rows = await self._interest_rows(
            "i.opportunity_id = ? AND i.member_id = ?", (opportunity_id, member_id), tx
        )
        return rows[0] if rows else None

    async def people(self, opportunity_id: int, tx: Session | None = None) -> list[Interest]:
        """Everyone who showed interest in it, first come first."""
        return await self._interest_rows("i.opportunity_id = ?", (opportunity_id,), tx)

    async def _interest_rows(self, where: str, values: tuple, tx: Session | None) -> list[Interest]:
        """Interest rows with first names and outcomes."""
        rows = await (tx or self._db).fetch_all(
            "SELECT i.opportunity_id, i.member_id, m.first_name, i.note, i.state, i.created_at, "
            "i.updated_at, o.outcome FROM opportunity_interest i "
            "LEFT JOIN members m ON m.telegram_id = i.member_id "
            "LEFT JOIN opportunity_outcomes o ON o.opportunity_id = i.opportunity_id "
            "AND o.member_id = i.member_id "
            f"WHERE {where} ORDER BY i.created_at, i.member_id",
            values,
        )
        return [record(Interest, row) for row in rows]

    async def add_interest(
        self, opportunity_id: int, member_id: int, note: str | None, now: datetime, tx: Session
    ) -> bool:
        """Record interest (again, after a withdrawal); False when already interested or
        already chosen or not (nothing changes then)."""
        changed = await tx.execute(
            "INSERT INTO opportunity_interest (opportunity_id, member_id, note, state, "
            "created_at, updated_at) VALUES (?, ?, ?, 'interested', ?, ?) "
            "ON CONFLICT (opportunity_id, member_id) DO UPDATE SET note = excluded.note, "
            "state = 'interested', updated_at = excluded.updated_at "
            "WHERE opportunity_interest.state = 'withdrawn'",
            (opportunity_id, member_id, note, to_db(now), to_db(now)),
        )
        return changed == 1

    async def move_interest(
        self,
        opportunity_id: int,
        member_id: int,
        from_states: Iterable[str],
        to: str,
        now: datetime,
        tx: Session,
    ) -> bool:
        """Change one interest's state only from one of ``from_states``; True if it moved."""
        states = tuple(from_states)
        marks = ", ".join("?" for _ in states)
        changed = await tx.execute(
            "UPDATE opportunity_interest SET state = ?, updated_at = ? "
            f"WHERE opportunity_id = ? AND member_id = ? AND state IN ({marks})",
            (to, to_db(now), opportunity_id, member_id, *states),
        )
        return changed == 1

    async def counts(self, opportunity_id: int, tx: Session | None = None) -> Counts:
        """How many people at each state."""
        rows = await (tx or self._db).fetch_all(
            "SELECT state, COUNT(*) AS n FROM opportunity_interest WHERE opportunity_id = ? "
            "GROUP BY state",
            (opportunity_id,),
        )
        return Counts(**{row["state"]: row["n"] for row in rows})

    async def member_states(self, member_id: int) -> dict[int, str]:
        """Each opportunity this member showed interest in, with the interest's state."""
        rows = await self._db.fetch_all(
            "SELECT opportunity_id, state FROM opportunity_interest WHERE member_id = ?",
            (member_id,),
        )
        return {row["opportunity_id"]: row["state"] for row in rows}

    async def member_interest(self, member_id: int) -> list[MemberInterest]:
        """Every opportunity this member showed interest in, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT i.opportunity_id, o.kind, o.title, i.state, i.note, i.created_at, "
            "i.updated_at FROM opportunity_interest i "
            "JOIN opportunities o ON o.id = i.opportunity_id "
            "WHERE i.member_id = ? ORDER BY i.created_at, i.opportunity_id",
            (member_id,),
        )
        return [record(MemberInterest, row) for row in rows]

    # Outcomes

    async def record_outcome(
        self,
        opportunity_id: int,
        member_id: int,
        outcome: str,
        actor_id: int | None,
        now: datetime,
        tx: Session,
    ) -> None:
        """Record (or correct) what came of it for one chosen person."""
        await tx.execute(
            "INSERT INTO opportunity_outcomes (opportunity_id, member_id, outcome, recorded_at, "
            "recorded_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (opportunity_id, member_id) "
            "DO UPDATE SET outcome = excluded.outcome, recorded_at = excluded.recorded_at, "
            "recorded_by = excluded.recorded_by",
            (opportunity_id, member_id, outcome, to_db(now), actor_id),
        )

    async def without_outcome(self, opportunity_id: int, tx: Session) -> int:
        """How many chosen people have no outcome recorded yet."""
        return int(
            await tx.fetch_value(
                "SELECT COUNT(*) FROM opportunity_interest i WHERE i.opportunity_id = ? "
                "AND i.state = 'chosen' AND NOT EXISTS (SELECT 1 FROM opportunity_outcomes o "
                "WHERE o.opportunity_id = i.opportunity_id AND o.member_id = i.member_id)",
                (opportunity_id,),
            )
        )

    async def member_outcomes(
        self, member_id: int, tx: Session | None = None
    ) -> list[MemberOutcome]:
        """Every outcome recorded for this member with the opportunity's kind and title,
        oldest first: the read /journey and the progression report use."""
        rows = await (tx or self._db).fetch_all(
            "SELECT o.opportunity_id, p.kind, p.title, o.outcome, o.recorded_at "
            "FROM opportunity_outcomes o JOIN opportunities p ON p.id = o.opportunity_id "
            "WHERE o.member_id = ? ORDER BY o.recorded_at, o.opportunity_id",
            (member_id,),
        )
        return [record(MemberOutcome, row) for row in rows]
