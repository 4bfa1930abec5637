"""Series of consultations or surveys (migration 0013): the series table and its readers, the
link from each round (an ordinary consultation or survey row) back to its series, and the one
conditional update that makes a round once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Session
from storage.rows import columns, record
from storage.timefmt import to_db

CONSULTATION, SURVEY = "consultation", "survey"
KINDS = (CONSULTATION, SURVEY)
ACTIVE, PAUSED, STOPPED = "active", "paused", "stopped"
_ROUND_TABLES = {CONSULTATION: "consultations", SURVEY: "surveys"}


@dataclass(frozen=True)
class SeriesRow:
    """One series as stored (times in UTC)."""

    id: int
    kind: str
    title: str
    every: str
    weekday: int
    week: int | None
    clock: str
    open_days: int
    template: str
    state: str
    next_opens_at: datetime | None
    rounds: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    stopped_at: datetime | None


@dataclass(frozen=True)
class NewSeries:
    """What is needed to store a series: what it is, its rule's columns and its readers."""

    kind: str
    title: str
    rule: dict[str, object]  # rules.stored(rule)
    template: str
    next_opens_at: datetime
    readers: tuple[int, ...]


@dataclass(frozen=True)
class RoundRow:
    """One round of a series: its consultation or survey, and that row's state and times."""

    round: int
    row_id: int
    state: str
    opens_at: datetime
    closes_at: datetime


_COLUMNS = columns(SeriesRow)


class SeriesRepository:
    """Series, their readers and their rounds."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, new: NewSeries, created_by: int | None, now: datetime, tx: Session
    ) -> int:
        """Write a series and its readers, in ``tx``; its id."""
        series_id = await tx.insert(
            "INSERT INTO series (kind, title, every, weekday, week, clock, open_days, template, "
            "next_opens_at, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                new.kind,
                new.title,
                new.rule["every"],
                new.rule["weekday"],
                new.rule["week"],
                new.rule["clock"],
                new.rule["open_days"],
                new.template,
                to_db(new.next_opens_at),
                created_by,
                to_db(now),
                to_db(now),
            ),
        )
        await self.set_readers(series_id, new.readers, tx)
        return series_id

    async def get(self, series_id: int, tx: Session | None = None) -> SeriesRow | None:
        """One series, or None (read in ``tx`` when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT {_COLUMNS} FROM series WHERE id = ?", (series_id,)
        )
        return record(SeriesRow, row) if row is not None else None

    async def listing(self, stopped_limit: int = 10) -> list[SeriesRow]:
        """Series running or paused (oldest first), then the latest stopped ones."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM series WHERE state != ? ORDER BY id", (STOPPED,)
        )
        stopped = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM series WHERE state = ? ORDER BY stopped_at DESC, id DESC "
            "LIMIT ?",
            (STOPPED, stopped_limit),
        )
        return [record(SeriesRow, row) for row in (*rows, *stopped)]

    async def due(self, now: datetime) -> list[SeriesRow]:
        """Active series whose next round's opening has come."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM series WHERE state = ? AND next_opens_at <= ? ORDER BY id",
            (ACTIVE, to_db(now)),
        )
        return [record(SeriesRow, row) for row in rows]

    async def readers(self, series_id: int, tx: Session | None = None) -> tuple[int, ...]:
        """The decision-makers chosen for a series' results."""
        rows = await (tx or self._db).fetch_all(
            "SELECT telegram_id FROM series_readers WHERE series_id = ? ORDER BY telegram_id",
            (series_id,),
        )
        return tuple(row["telegram_id"] for row in rows)

    async def set_readers(self, series_id: int, readers: Sequence[int], tx: Session) -> None:
        """Replace the decision-makers chosen, in ``tx``."""
        await tx.execute("DELETE FROM series_readers WHERE series_id = ?", (series_id,))
        await tx.execute_many(
            "INSERT INTO series_readers (series_id, telegram_id) VALUES (?, ?)",
            [(series_id, reader) for reader in dict.fromkeys(readers)],
        )

    async def take_round(
        self,
        series_id: int,
        made: int,
        next_opens_at: datetime,
        now: datetime,
        tx: Session,
        *,
        counts: bool = True,
    ) -> bool:
        """Move an active series that has made ``made`` rounds on to its next opening (one
        round more when ``counts``; a round skipped counts none), in ``tx``. True for the one
        caller that moved it: a second sweep, or one after a crash, finds it moved already."""
        changed = await tx.execute(
            "UPDATE series SET rounds = rounds + ?, next_opens_at = ?, updated_at = ? "
            "WHERE id = ? AND state = ? AND rounds = ?",
            (int(counts), to_db(next_opens_at), to_db(now), series_id, ACTIVE, made),
        )
        return changed == 1

    async def link(
        self, kind: str, row_id: int, series_id: int, round_number: int, tx: Session
    ) -> None:
        """Mark a consultation or survey as a round of a series, in ``tx`` (a round made
        twice breaks the unique index, so the transaction making it fails)."""
        await tx.execute(
            f"UPDATE {_ROUND_TABLES[kind]} SET series_id = ?, series_round = ? WHERE id = ?",
            (series_id, round_number, row_id),
        )

    async def set_state(
        self,
        series_id: int,
        state: str,
        before: Collection[str],
        now: datetime,
        tx: Session,
        next_opens_at: datetime | None = None,
    ) -> bool:
        """Pause, resume or stop a series that is in one of the states ``before`` (stopping
        stamps ``stopped_at`` and clears the next opening); True if it moved."""
        marks = ",".join("?" for _ in before)
        stopped = to_db(now) if state == STOPPED else None
        changed = await tx.execute(
            f"UPDATE series SET state = ?, next_opens_at = COALESCE(?, next_opens_at), "
            f"updated_at = ?, stopped_at = ? WHERE id = ? AND state IN ({marks})",
            (state, to_db(next_opens_at), to_db(now), stopped, series_id, *before),
        )
        if changed and state == STOPPED:
            await tx.execute("UPDATE series SET next_opens_at = NULL WHERE id = ?", (series_id,))
        return changed == 1

    async def change_rule(
        self,
        series_id: int,
        rule: dict[str, object],
        next_opens_at: datetime,
        now: datetime,
        tx: Session,
    ) -> bool:
        """A new rule and next opening for a series not stopped; True if it changed."""
        changed = await tx.execute(
            "UPDATE series SET every = ?, weekday = ?, week = ?, clock = ?, open_days = ?, "
            "next_opens_at = ?, updated_at = ? WHERE id = ? AND state != ?",
            (
                rule["every"],
                rule["weekday"],
                rule["week"],
                rule["clock"],
                rule["open_days"],
                to_db(next_opens_at),
                to_db(now),
                series_id,
                STOPPED,
            ),
        )
        return changed == 1

    async def rounds(self, kind: str, series_id: int) -> list[RoundRow]:
        """Every round made of a series, in order."""
        rows = await self._db.fetch_all(
            f"SELECT series_round, id, state, opens_at, closes_at FROM {_ROUND_TABLES[kind]} "
            "WHERE series_id = ? ORDER BY series_round",
            (series_id,),
        )
        return [
            record(
                RoundRow,
                {**dict(zip(row.keys(), row, strict=True)), "round": row["series_round"]},
                row_id=row["id"],
            )
            for row in rows
        ]

    async def round_of(
        self, kind: str, row_id: int, tx: Session | None = None
    ) -> tuple[int, int] | None:
        """The series and round number of a consultation or survey, or None (read in ``tx``
        when given)."""
        row = await (tx or self._db).fetch_one(
            f"SELECT series_id, series_round FROM {_ROUND_TABLES[kind]} "
            "WHERE id = ? AND series_id IS NOT NULL",
            (row_id,),
        )
        return (row["series_id"], row["series_round"]) if row is not None else None

    async def titles(self, series_ids: Collection[int]) -> dict[int, str]:
        """Each series' title (for /audit)."""
        if not series_ids:
            return {}
        marks = ",".join("?" for _ in series_ids)
        rows = await self._db.fetch_all(
            f"SELECT id, title FROM series WHERE id IN ({marks})", tuple(series_ids)
        )
        return {row["id"]: row["title"] for row in rows}
