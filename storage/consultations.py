"""Consultations: questions, answer options, invitations, choices, comments and kept counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Row, Session
from storage.timefmt import from_db, to_db

SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
AFTER_CLOSE, WHILE_OPEN, NEVER = "after_close", "while_open", "never"
SHOW_RESULTS = (AFTER_CLOSE, WHILE_OPEN, NEVER)
NUDGE_PENDING, NUDGE_SENT, NUDGE_SKIPPED = "pending", "sent", "skipped"


@dataclass(frozen=True)
class Consultation:
    """One consultation as stored (times in UTC)."""

    id: int
    question: str
    options: tuple[str, ...]
    multiple: bool
    ask_comment: bool
    audience_scope: str
    audience_place: str | None
    member_note: str
    show_results: str
    opens_at: datetime
    closes_at: datetime
    state: str
    nudge_state: str
    results_sent: bool
    closed_at: datetime | None

    @property
    def audience_label(self) -> str:
        """Like 'everyone' or 'region:north_west'."""
        if self.audience_place is None:
            return self.audience_scope
        return f"{self.audience_scope}:{self.audience_place}"


@dataclass(frozen=True)
class NewConsultation:
    """What is needed to store a consultation."""

    question: str
    options: tuple[str, ...]
    multiple: bool
    ask_comment: bool
    audience_scope: str
    audience_place: str | None
    member_note: str
    show_results: str
    opens_at: datetime
    closes_at: datetime
    readers: tuple[int, ...]


@dataclass(frozen=True)
class PlaceCounts:
    """Raw figures for one region and hub ('' for none): invited, answered, each answer."""

    region_id: str
    hub_id: str
    invited: int
    answered: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Press:
    """What one answer press did: SAVED, or why not (GONE, CLOSED, NOT_INVITED), and the
    member's answer before and after."""

    outcome: str
    was_answered: bool = False
    answered: bool = False
    chosen: frozenset[int] = frozenset()


SAVED, GONE, NOT_INVITED = "saved", "gone", "not_invited"


@dataclass(frozen=True)
class MemberAnswer:
    """A member's invitation: whether they answered, and what they have chosen so far."""

    answered: bool
    chosen: frozenset[int]


_COLUMNS = (
    "id, question, multiple, ask_comment, audience_scope, audience_place, member_note, "
    "show_results, opens_at, closes_at, state, nudge_state, results_sent, closed_at"
)


class ConsultationRepository:
    """Reads and writes consultations and everything hanging off them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _build(self, row: Row, session: Session | Database | None = None) -> Consultation:
        """Turn a row (and its options) into a Consultation."""
        source = session or self._db
        options = await source.fetch_all(
            "SELECT label FROM consultation_options WHERE consultation_id = ? ORDER BY position",
            (row["id"],),
        )
        return Consultation(
            id=row["id"],
            question=row["question"],
            options=tuple(option["label"] for option in options),
            multiple=bool(row["multiple"]),
            ask_comment=bool(row["ask_comment"]),
            audience_scope=row["audience_scope"],
            audience_place=row["audience_place"],
            member_note=row["member_note"],
            show_results=row["show_results"],
            opens_at=from_db(row["opens_at"]),  # type: ignore[arg-type]
            closes_at=from_db(row["closes_at"]),  # type: ignore[arg-type]
            state=row["state"],
            nudge_state=row["nudge_state"],
            results_sent=bool(row["results_sent"]),
            closed_at=from_db(row["closed_at"]),
        )

    async def _many(self, sql: str, params: Sequence[object] = ()) -> list[Consultation]:
        """Consultations from a query over the consultations table."""
        return [await self._build(row) for row in await self._db.fetch_all(sql, params)]

    # Writing

    async def create(
        self, new: NewConsultation, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Write a consultation with its options and readers, in ``tx``; return its id."""
        consultation_id = await tx.insert(
            "INSERT INTO consultations (question, multiple, ask_comment, audience_scope, "
            "audience_place, member_note, show_results, opens_at, closes_at, created_by, "
            "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.question,
                int(new.multiple),
                int(new.ask_comment),
                new.audience_scope,
                new.audience_place,
                new.member_note,
                new.show_results,
                to_db(new.opens_at),
                to_db(new.closes_at),
                created_by,
                to_db(now),
                to_db(now),
            ),
        )
        await tx.execute_many(
            "INSERT INTO consultation_options (consultation_id, position, label) VALUES (?,?,?)",
            [(consultation_id, position, label) for position, label in enumerate(new.options)],
        )
        await tx.execute_many(
            "INSERT INTO consultation_readers (consultation_id, telegram_id) VALUES (?, ?)",
            [(consultation_id, reader) for reader in sorted(set(new.readers))],
        )
        return consultation_id

    async def open(
        self, consultation_id: int, member_ids: Iterable[int], now: datetime, tx: Session
    ) -> bool:
        """Mark a scheduled consultation open and invite these members (their region and hub
        as they are now); False if it was not scheduled (someone else opened it)."""
        changed = await tx.execute(
            "UPDATE consultations SET state = 'open', updated_at = ? WHERE id = ? AND state = ?",
            (to_db(now), consultation_id, SCHEDULED),
        )
        if not changed:
            return False
        await tx.execute_many(
            "INSERT OR IGNORE INTO consultation_invites (consultation_id, member_id, region_id, "
            "hub_id) SELECT ?, telegram_id, COALESCE(region_id, ''), COALESCE(hub_id, '') "
            "FROM members WHERE telegram_id = ?",
            [(consultation_id, member_id) for member_id in member_ids],
        )
        return True

    async def set_state(
        self,
        consultation_id: int,
        state: str,
        now: datetime,
        tx: Session,
        *,
        only_from: Sequence[str],
    ) -> bool:
        """Move a consultation to ``state`` if it is in one of ``only_from``; True if it moved."""
        marks = ",".join("?" for _ in only_from)
        closed_at = to_db(now) if state in (CLOSED, CANCELLED) else None
        return bool(
            await tx.execute(
                f"UPDATE consultations SET state = ?, updated_at = ?, "
                f"closed_at = COALESCE(?, closed_at) WHERE id = ? AND state IN ({marks})",
                (state, to_db(now), closed_at, consultation_id, *only_from),
            )
        )

    async def set_closes_at(self, consultation_id: int, closes_at: datetime, now: datetime) -> None:
        """Move the deadline."""
        await self._db.execute(
            "UPDATE consultations SET closes_at = ?, updated_at = ? WHERE id = ?",
            (to_db(closes_at), to_db(now), consultation_id),
        )

    async def take_nudge(
        self, consultation_id: int, state: str, now: datetime, tx: Session | None = None
    ) -> bool:
        """Mark the nudge sent or skipped if it is still pending; True for the one caller that
        did (so it goes out at most once). In ``tx`` when given: the caller queues the nudge
        in the same transaction, so it is taken and queued together or not at all."""
        return bool(
            await (tx or self._db).execute(
                "UPDATE consultations SET nudge_state = ?, updated_at = ? "
                "WHERE id = ? AND nudge_state = 'pending'",
                (state, to_db(now), consultation_id),
            )
        )

    async def take_results(self, consultation_id: int, tx: Session) -> bool:
        """Mark the results pack as queued, in ``tx`` (which queues it too); True for the one
        caller that did. Until that commits ``closed_without_results`` still finds it."""
        return bool(
            await tx.execute(
                "UPDATE consultations SET results_sent = 1 WHERE id = ? AND results_sent = 0",
                (consultation_id,),
            )
        )

    # Reading

    async def get(self, consultation_id: int, tx: Session | None = None) -> Consultation | None:
        """One consultation, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM consultations WHERE id = ?", (consultation_id,)
        )
        return await self._build(row, tx) if row else None

    async def due_to_open(self, now: datetime) -> list[Consultation]:
        """Scheduled consultations whose opening time has come."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND opens_at <= ? ORDER BY id",
            (SCHEDULED, to_db(now)),
        )

    async def due_to_close(self, now: datetime) -> list[Consultation]:
        """Open or scheduled consultations whose deadline has passed."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN (?, ?) AND closes_at <= ? "
            "ORDER BY id",
            (OPEN, SCHEDULED, to_db(now)),
        )

    async def closed_without_results(self) -> list[Consultation]:
        """Closed consultations whose results pack was never queued (a crash in between)."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND results_sent = 0 "
            "ORDER BY id",
            (CLOSED,),
        )

    async def open_with_nudge_pending(self) -> list[Consultation]:
        """Open consultations whose nudge has not gone out or been skipped."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND nudge_state = ? ORDER BY id",
            (OPEN, NUDGE_PENDING),
        )

    async def current(self, limit: int = 20) -> list[Consultation]:
        """Scheduled and open consultations, soonest deadline first."""
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN (?, ?) "
            "ORDER BY closes_at, id LIMIT ?",
            (SCHEDULED, OPEN, limit),
        )

    async def closed(self, limit: int = 20, reader: int | None = None) -> list[Consultation]:
        """Closed consultations, newest first; only those ``reader`` receives when given."""
        if reader is None:
            return await self._many(
                f"SELECT {_COLUMNS} FROM consultations WHERE state = ? "
                "ORDER BY closed_at DESC, id DESC LIMIT ?",
                (CLOSED, limit),
            )
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state = ? AND id IN "
            "(SELECT consultation_id FROM consultation_readers WHERE telegram_id = ?) "
            "ORDER BY closed_at DESC, id DESC LIMIT ?",
            (CLOSED, reader, limit),
        )

    async def readers(self, consultation_id: int) -> list[int]:
        """The decision-makers chosen to receive the results."""
        rows = await self._db.fetch_all(
            "SELECT telegram_id FROM consultation_readers WHERE consultation_id = ? "
            "ORDER BY telegram_id",
            (consultation_id,),
        )
        return [row["telegram_id"] for row in rows]

    async def is_reader(self, consultation_id: int, telegram_id: int) -> bool:
        """True when this person was chosen to receive the results."""
        return bool(
            await self._db.fetch_value(
                "SELECT 1 FROM consultation_readers WHERE consultation_id = ? AND telegram_id = ?",
                (consultation_id, telegram_id),
            )
        )

    async def for_member(self, member_id: int, states: Sequence[str], limit: int = 10) -> list:
        """Consultations this member was invited to, in these states, newest deadline first."""
        marks = ",".join("?" for _ in states)
        return await self._many(
            f"SELECT {_COLUMNS} FROM consultations WHERE state IN ({marks}) AND id IN "
            "(SELECT consultation_id FROM consultation_invites WHERE member_id = ?) "
            "ORDER BY closes_at DESC, id DESC LIMIT ?",
            (*states, member_id, limit),
        )

    # Answers

    async def answer_of(self, consultation_id: int, member_id: int) -> MemberAnswer | None:
        """The member's invitation and choices, or None if they were not invited."""
        row = await self._db.fetch_one(
            "SELECT answered_at FROM consultation_invites "
            "WHERE consultation_id = ? AND member_id = ?",
            (consultation_id, member_id),
        )
        if row is None:
            return None
        chosen = await self._db.fetch_all(
            "SELECT position FROM consultation_choices WHERE consultation_id = ? AND member_id = ?",
            (consultation_id, member_id),
        )
        return MemberAnswer(
            row["answered_at"] is not None, frozenset(r["position"] for r in chosen)
        )

    async def press(
        self,
        consultation_id: int,
        member_id: int,
        position: int,
        *,
        only_one: bool,
        chosen: bool,
        now: datetime,
    ) -> Press:
        """Record one answer press in a single transaction (one hop to the database thread):
        check the consultation is still open and the member was asked, then with ``only_one``
        make ``position`` the answer, otherwise set it chosen or not (a member who un-chooses
        their last answer no longer counts as answered)."""
        at = to_db(now)

        def work(conn: sqlite3.Connection) -> Press:
            row = conn.execute(
                "SELECT state, closes_at FROM consultations WHERE id = ?", (consultation_id,)
            ).fetchone()
            if row is None or row["state"] in (SCHEDULED, CANCELLED):
                return Press(GONE)
            if row["state"] != OPEN or row["closes_at"] <= at:
                return Press(CLOSED)
            invite = conn.execute(
                "SELECT answered_at FROM consultation_invites "
                "WHERE consultation_id = ? AND member_id = ?",
                (consultation_id, member_id),
            ).fetchone()
            if invite is None:
                return Press(NOT_INVITED)
            key = (consultation_id, member_id)
            if only_one:
                conn.execute(
                    "DELETE FROM consultation_choices WHERE consultation_id = ? "
                    "AND member_id = ? AND position != ?",
                    (*key, position),
                )
            if chosen:
                conn.execute(
                    "INSERT OR IGNORE INTO consultation_choices "
                    "(consultation_id, member_id, position) VALUES (?,?,?)",
                    (*key, position),
                )
            else:
                conn.execute(
                    "DELETE FROM consultation_choices "
                    "WHERE consultation_id = ? AND member_id = ? AND position = ?",
                    (*key, position),
                )
            picked = frozenset(
                choice["position"]
                for choice in conn.execute(
                    "SELECT position FROM consultation_choices "
                    "WHERE consultation_id = ? AND member_id = ?",
                    key,
                )
            )
            was_answered = invite["answered_at"] is not None
            answered = bool(picked) and (was_answered or only_one)
            if answered and not was_answered:
                conn.execute(
                    "UPDATE consultation_invites SET answered_at = ? "
                    "WHERE consultation_id = ? AND member_id = ?",
                    (at, *key),
                )
            elif was_answered and not answered:
                conn.execute(
                    "UPDATE consultation_invites SET answered_at = NULL "
                    "WHERE consultation_id = ? AND member_id = ?",
                    key,
                )
            return Press(SAVED, was_answered, answered, picked)

        return await self._db.atomically(work)

    @staticmethod
    async def _is_open(tx: Session, consultation_id: int) -> bool:
        """True while the consultation is open (checked inside each answer's transaction, so
        nothing is written after closing has counted)."""
        state = await tx.fetch_value(
            "SELECT state FROM consultations WHERE id = ?", (consultation_id,)
        )
        return state == OPEN

    async def confirm(self, consultation_id: int, member_id: int, now: datetime) -> bool | None:
        """Mark a member's choices as their answer; False if they have none chosen, None if
        the consultation is no longer open."""
        async with self._db.transaction() as tx:
            if not await self._is_open(tx, consultation_id):
                return None
            any_chosen = await tx.fetch_value(
                "SELECT COUNT(*) FROM consultation_choices "
                "WHERE consultation_id = ? AND member_id = ?",
                (consultation_id, member_id),
            )
            if not any_chosen:
                return False
            await tx.execute(
                "UPDATE consultation_invites SET answered_at = COALESCE(answered_at, ?) "
                "WHERE consultation_id = ? AND member_id = ?",
                (to_db(now), consultation_id, member_id),
            )
        return True

    async def discard_answers(self, consultation_id: int, tx: Session) -> None:
        """Delete every answer and comment of a withdrawn consultation, in ``tx``."""
        await tx.execute(
            "DELETE FROM consultation_choices WHERE consultation_id = ?", (consultation_id,)
        )
        await tx.execute(
            "DELETE FROM consultation_comments WHERE consultation_id = ?", (consultation_id,)
        )
        await tx.execute(
            "UPDATE consultation_invites SET answered_at = NULL WHERE consultation_id = ?",
            (consultation_id,),
        )

    async def set_comment(
        self, consultation_id: int, member_id: int, text: str, now: datetime
    ) -> None:
        """Keep a member's comment (a new one replaces the old)."""
        await self._db.execute(
            "INSERT INTO consultation_comments (consultation_id, member_id, text, written_at) "
            "VALUES (?,?,?,?) ON CONFLICT (consultation_id, member_id) "
            "DO UPDATE SET text = excluded.text, written_at = excluded.written_at",
            (consultation_id, member_id, text, to_db(now)),
        )

    async def comments(self, consultation_id: int) -> list[str]:
        """Every comment, oldest first, without who wrote it."""
        rows = await self._db.fetch_all(
            "SELECT text FROM consultation_comments WHERE consultation_id = ? "
            "ORDER BY written_at, rowid",
            (consultation_id,),
        )
        return [row["text"] for row in rows]

    async def not_answered(self, consultation_id: int, tx: Session | None = None) -> list[int]:
        """Invited members who have not answered (read in ``tx`` when given)."""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM consultation_invites "
            "WHERE consultation_id = ? AND answered_at IS NULL ORDER BY member_id",
            (consultation_id,),
        )
        return [row["member_id"] for row in rows]

    async def invited(
        self, consultation_id: int, answered_only: bool = False, tx: Session | None = None
    ) -> list[int]:
        """Everyone invited (or only those who answered); read in ``tx`` when given."""
        extra = " AND answered_at IS NOT NULL" if answered_only else ""
        rows = await (tx or self._db).fetch_all(
            "SELECT member_id FROM consultation_invites WHERE consultation_id = ?"
            f"{extra} ORDER BY member_id",
            (consultation_id,),
        )
        return [row["member_id"] for row in rows]

    # Counting

    async def live_counts(
        self, consultation_id: int, options: int, tx: Session | None = None
    ) -> list[PlaceCounts]:
        """Counts by region and hub from the answers as they are now (inside ``tx`` when
        given, so closing and counting agree)."""
        return await self._counts(
            tx or self._db,
            "SELECT region_id, hub_id, COUNT(*) AS invited, COUNT(answered_at) AS answered "
            "FROM consultation_invites WHERE consultation_id = ? GROUP BY region_id, hub_id",
            "SELECT i.region_id, i.hub_id, c.position, COUNT(*) AS count "
            "FROM consultation_choices c JOIN consultation_invites i "
            "ON i.consultation_id = c.consultation_id AND i.member_id = c.member_id "
            "WHERE c.consultation_id = ? AND i.answered_at IS NOT NULL "
            "GROUP BY i.region_id, i.hub_id, c.position",
            consultation_id,
            options,
        )

    async def kept_counts(self, consultation_id: int, options: int) -> list[PlaceCounts]:
        """The counts kept when the consultation closed."""
        return await self._counts(
            self._db,
            "SELECT region_id, hub_id, invited, answered FROM consultation_result_places "
            "WHERE consultation_id = ?",
            "SELECT region_id, hub_id, position, count FROM consultation_result_counts "
            "WHERE consultation_id = ?",
            consultation_id,
            options,
        )

    @staticmethod
    async def _counts(
        source: Session | Database,
        places_sql: str,
        counts_sql: str,
        consultation_id: int,
        options: int,
    ) -> list[PlaceCounts]:
        """Join place totals and per-answer counts into PlaceCounts, sorted by place."""
        counts: dict[tuple[str, str], list[int]] = {}
        for row in await source.fetch_all(counts_sql, (consultation_id,)):
            key = (row["region_id"], row["hub_id"])
            if 0 <= row["position"] < options:
                counts.setdefault(key, [0] * options)[row["position"]] = row["count"]
        return sorted(
            (
                PlaceCounts(
                    region_id=row["region_id"],
                    hub_id=row["hub_id"],
                    invited=row["invited"],
                    answered=row["answered"],
                    counts=tuple(counts.get((row["region_id"], row["hub_id"]), [0] * options)),
                )
                for row in await source.fetch_all(places_sql, (consultation_id,))
            ),
            key=lambda place: (place.region_id, place.hub_id),
        )

    async def keep_counts(
        self, consultation_id: int, places: Sequence[PlaceCounts], tx: Session
    ) -> None:
        """Store the closing counts (with no link to anyone), in ``tx``."""
        await tx.execute_many(
            "INSERT OR REPLACE INTO consultation_result_places "
            "(consultation_id, region_id, hub_id, invited, answered) VALUES (?,?,?,?,?)",
            [(consultation_id, p.region_id, p.hub_id, p.invited, p.answered) for p in places],
        )
        await tx.execute_many(
            "INSERT OR REPLACE INTO consultation_result_counts "
            "(consultation_id, region_id, hub_id, position, count) VALUES (?,?,?,?,?)",
            [
                (consultation_id, p.region_id, p.hub_id, position, count)
                for p in places
                for position, count in enumerate(p.counts)
            ],
        )

    # Follow-ups

    async def add_followup(
        self, consultation_id: int, text: str, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Keep a "you said, we did" message, in ``tx`` (which queues it too); return its id."""
        return await tx.insert(
            "INSERT INTO consultation_followups (consultation_id, text, created_by, created_at) "
            "VALUES (?,?,?,?)",
            (consultation_id, text, created_by, to_db(now)),
        )

    async def set_followup_broadcast(
        self, followup_id: int, broadcast_id: int, tx: Session
    ) -> None:
        """Link a follow-up to the broadcast that sent it, in ``tx``."""
        await tx.execute(
            "UPDATE consultation_followups SET broadcast_id = ? WHERE id = ?",
            (broadcast_id, followup_id),
        )

    async def followups(self, consultation_id: int) -> list[str]:
        """The follow-ups sent about a consultation, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT text FROM consultation_followups WHERE consultation_id = ? ORDER BY id",
            (consultation_id,),
        )
        return [row["text"] for row in rows]

    # A member's own data

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything a member gave in consultations: question, chosen answers, comment."""
        rows = await self._db.fetch_all(
            "SELECT c.id, c.question, i.answered_at, "
            "(SELECT text FROM consultation_comments m WHERE m.consultation_id = c.id "
            " AND m.member_id = i.member_id) AS comment "
            "FROM consultation_invites i JOIN consultations c ON c.id = i.consultation_id "
            "WHERE i.member_id = ? ORDER BY c.id",
            (member_id,),
        )
        data = []
        for row in rows:
            chosen = await self._db.fetch_all(
                "SELECT o.label FROM consultation_choices h JOIN consultation_options o "
                "ON o.consultation_id = h.consultation_id AND o.position = h.position "
                "WHERE h.consultation_id = ? AND h.member_id = ? ORDER BY o.position",
                (row["id"], member_id),
            )
            data.append(
                {
                    "question": row["question"],
                    "answered_at": row["answered_at"],
                    "answers": [choice["label"] for choice in chosen],
                    "comment": row["comment"],
                }
            )
        return data
