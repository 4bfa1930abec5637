"""After-meeting feedback surveys: which survey file a meeting (or a repeating series) sends to
those who came, the survey opened from it, and who on the "came" list may be asked now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Session
from storage.meetings.records import COLUMNS, SCHEDULED, Meeting, Rows, meeting_of
from storage.members import PREFERENCE_COLUMNS
from storage.timefmt import to_db

# meeting_feedback.state
WAITING, OPENED, EXPIRED, FAILED = "waiting", "opened", "expired", "failed"
# Members who chose consultations get surveys (bot/services/surveys/messages.PREFERENCE).
_SURVEYS = PREFERENCE_COLUMNS["consultations"]
_MEETING = ", ".join(f"m.{name.strip()}" for name in COLUMNS.split(","))


@dataclass(frozen=True)
class Feedback:
    """A meeting's feedback survey: the file, where it stands, and the survey once opened."""

    meeting_id: int
    file_key: str
    state: str  # WAITING, OPENED, EXPIRED or FAILED
    survey_id: int | None


@dataclass(frozen=True)
class WaitingFeedback:
    """A feedback survey not opened yet, with its meeting (started, not cancelled) and whether
    who came has been saved."""

    meeting: Meeting
    file_key: str
    marked: bool


async def came(db: Database | Session, meeting_id: int, now: datetime) -> list[int]:
    """Members marked as came who may be asked now: still members, reachable, not paused and
    getting surveys (consultations on)."""
    rows = await db.fetch_all(
        "SELECT r.member_id FROM meeting_rsvps r JOIN members m ON m.telegram_id = r.member_id "
        "WHERE r.meeting_id = ? AND r.attended = 1 AND m.reachable = 1 "
        f"AND (m.paused_until IS NULL OR m.paused_until <= ?) AND m.{_SURVEYS} = 1 "
        "ORDER BY r.member_id",
        (meeting_id, to_db(now)),
    )
    return [row["member_id"] for row in rows]


async def listed_members(db: Database | Session, survey_id: int, now: datetime) -> list[int] | None:
    """For a meeting's feedback survey: who came and may be asked now; None for any other
    survey (its audience is a place)."""
    meeting_id = await db.fetch_value(
        "SELECT meeting_id FROM meeting_feedback WHERE survey_id = ?", (survey_id,)
    )
    return None if meeting_id is None else await came(db, meeting_id, now)


async def is_listed(db: Database | Session, survey_id: int) -> bool:
    """Whether a survey is a meeting's feedback survey (asking who came, not a place)."""
    found = await db.fetch_value("SELECT 1 FROM meeting_feedback WHERE survey_id = ?", (survey_id,))
    return found is not None


class FeedbackRows(Rows):
    """``meeting_feedback`` and ``meeting_series_feedback``."""

    async def add_feedback(
        self, meeting_id: int, file_key: str, now: datetime, tx: Session
    ) -> None:
        """Give a new meeting its feedback survey file, in ``tx``."""
        await tx.execute(
            "INSERT INTO meeting_feedback (meeting_id, file_key, updated_at) VALUES (?,?,?)",
            (meeting_id, file_key, to_db(now)),
        )

    async def add_series_feedback(self, series_id: int, file_key: str, tx: Session) -> None:
        """Keep a new series' feedback survey file for each meeting it makes, in ``tx``."""
        await tx.execute(
            "INSERT OR REPLACE INTO meeting_series_feedback (series_id, file_key) VALUES (?,?)",
            (series_id, file_key),
        )

    async def series_feedback(self, series_id: int) -> str | None:
        """The feedback survey file a series gives each meeting it makes, or None."""
        return await self._db.fetch_value(
            "SELECT file_key FROM meeting_series_feedback WHERE series_id = ?", (series_id,)
        )

    async def feedback_of(self, meeting_id: int, tx: Session | None = None) -> Feedback | None:
        """A meeting's feedback survey, or None when it sends none."""
        row = await (tx or self._db).fetch_one(
            "SELECT meeting_id, file_key, state, survey_id FROM meeting_feedback "
            "WHERE meeting_id = ?",
            (meeting_id,),
        )
        return None if row is None else Feedback(**dict(row))

    async def choose_feedback(self, meeting_id: int, file_key: str | None, now: datetime) -> bool:
        """Turn a meeting's feedback survey on (with this file) or off (None) while it has not
        been opened; False when it already has (or has ended)."""
        if file_key is None:
            return (
                await self._db.execute(
                    "DELETE FROM meeting_feedback WHERE meeting_id = ? AND state = ?",
                    (meeting_id, WAITING),
                )
                > 0
                or await self.feedback_of(meeting_id) is None
            )
        return (
            await self._db.execute(
                "INSERT INTO meeting_feedback (meeting_id, file_key, updated_at) VALUES (?,?,?) "
                "ON CONFLICT (meeting_id) DO UPDATE SET file_key = excluded.file_key, "
                "updated_at = excluded.updated_at WHERE state = ?",
                (meeting_id, file_key, to_db(now), WAITING),
            )
            > 0
        )

    async def waiting_feedback(
        self, now: datetime, meeting_id: int | None = None
    ) -> list[WaitingFeedback]:
        """Feedback surveys not opened yet whose meeting has started and was not cancelled
        (only ``meeting_id``'s when given)."""
        only = "" if meeting_id is None else "AND f.meeting_id = ? "
        rows = await self._db.fetch_all(
            f"SELECT {_MEETING}, f.file_key, EXISTS (SELECT 1 FROM meeting_attendance_saved s "
            "WHERE s.meeting_id = f.meeting_id) AS marked "
            "FROM meeting_feedback f JOIN meetings m ON m.id = f.meeting_id "
            f"WHERE f.state = ? AND m.state = ? AND m.starts_at <= ? {only}"
            "ORDER BY m.starts_at, m.id",
            (WAITING, SCHEDULED, to_db(now), *(() if meeting_id is None else (meeting_id,))),
        )
        return [
            WaitingFeedback(meeting_of(row), row["file_key"], bool(row["marked"])) for row in rows
        ]

    async def take_feedback(
        self, meeting_id: int, survey_id: int, now: datetime, tx: Session
    ) -> bool:
        """Link the survey just written to the meeting, in ``tx``, if its feedback is still
        waiting; True for the one caller that did (so it is opened once)."""
        changed = await tx.execute(
            "UPDATE meeting_feedback SET state = ?, survey_id = ?, updated_at = ? "
            "WHERE meeting_id = ? AND state = ?",
            (OPENED, survey_id, to_db(now), meeting_id, WAITING),
        )
        return changed > 0

    async def end_feedback(self, meeting_id: int, state: str, now: datetime) -> bool:
        """A waiting feedback survey that will not go (EXPIRED or FAILED); True if it moved."""
        changed = await self._db.execute(
            "UPDATE meeting_feedback SET state = ?, updated_at = ? "
            "WHERE meeting_id = ? AND state = ?",
            (state, to_db(now), meeting_id, WAITING),
        )
        return changed > 0

    async def ask_too(
        self, survey_id: int, meeting_id: int, now: datetime, tx: Session
    ) -> list[int]:
        """Invite, in ``tx``, those now marked as came (and who may be asked) that the open
        feedback survey has not asked yet; return them."""
        asked = {
            row["member_id"]
            for row in await tx.fetch_all(
                "SELECT member_id FROM survey_invites WHERE survey_id = ?", (survey_id,)
            )
        }
        more = [member for member in await came(tx, meeting_id, now) if member not in asked]
        await tx.execute_many(
            "INSERT OR IGNORE INTO survey_invites (survey_id, member_id) VALUES (?, ?)",
            [(survey_id, member) for member in more],
        )
        return more

    async def came(self, meeting_id: int, now: datetime) -> list[int]:
        """Members marked as came who may be asked now (see ``came``)."""
        return await came(self._db, meeting_id, now)
