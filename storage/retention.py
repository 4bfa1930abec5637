"""Keeping data only as long as needed: members' activity and asks to stay, and deleting done
contact notes, finished broadcasts' details (their counts kept), old audit entries and the
answers of surveys closed long enough ago.

What is counted for /retention and what is deleted use the same conditions, so the preview
says what a run would do. Members are removed through storage/erasure.py (by the member
service), never here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Session
from storage.repository import Repository
from storage.timefmt import from_db, to_db

# Members who hold no role: people with a role are never asked or removed while they hold it.
_NO_ROLE = "NOT EXISTS (SELECT 1 FROM roles r WHERE r.telegram_id = members.telegram_id)"
_HAS_ROLE = "EXISTS (SELECT 1 FROM roles r WHERE r.telegram_id = members.telegram_id)"
# Not asked yet, and no activity since the cutoff.
_TO_ASK = f"stay_asked_at IS NULL AND last_active_at <= :inactive AND {_NO_ROLE}"
# Asked, no activity since (activity clears the ask), and the time to answer is up.
_TO_REMOVE = f"stay_asked_at IS NOT NULL AND stay_asked_at <= :asked AND {_NO_ROLE}"
_DONE_NOTES = "handled_at IS NOT NULL AND handled_at <= :done"
# Broadcasts a contact request still open needs: its notice and reminder (and copies of them
# sent again) keep their rows, so a coordinator's claim can still update the copies sent.
_NEEDED = """
WITH RECURSIVE needed(id) AS (
    SELECT notice_broadcast_id FROM contact_requests
    WHERE handled_at IS NULL AND notice_broadcast_id IS NOT NULL
    UNION SELECT reminder_broadcast_id FROM contact_requests
    WHERE handled_at IS NULL AND reminder_broadcast_id IS NOT NULL
    UNION SELECT b.id FROM broadcasts b JOIN needed n ON b.resend_of = n.id)
"""
_OLD_BROADCASTS = (
    "finished_at IS NOT NULL AND finished_at <= :finished AND details_deleted_at IS NULL "
    "AND id NOT IN (SELECT id FROM needed)"
)
# Closed surveys whose answers go (the survey keeps its title, counts asked and the date).
_OLD_SURVEYS = (
    "state = 'closed' AND closed_at IS NOT NULL AND closed_at <= :closed "
    "AND answers_deleted_at IS NULL"
)
# For /retention: those, and surveys not closed yet that are due to close by then.
_SURVEYS_AHEAD = (
    f"({_OLD_SURVEYS}) OR (state IN ('scheduled', 'open') AND closes_at <= :closed "
    "AND answers_deleted_at IS NULL)"
)
# Contact notes that go, and every message about them (which names the person).
_NOTES_MESSAGES = """
WITH RECURSIVE named(id) AS (
    SELECT notice_broadcast_id FROM contact_requests WHERE id IN ({ids})
    UNION SELECT reminder_broadcast_id FROM contact_requests WHERE id IN ({ids})
    UNION SELECT b.id FROM broadcasts b JOIN named n ON b.resend_of = n.id)
SELECT id FROM named WHERE id IS NOT NULL
"""
# The counts by state and reason, kept on the broadcast before its rows go.
_KEEP_COUNTS = """
UPDATE broadcasts SET
    kept_counts = (
        SELECT json_group_array(json_array(state, reason, n)) FROM (
            SELECT state, reason, COUNT(*) AS n FROM deliveries
            WHERE broadcast_id = broadcasts.id GROUP BY state, reason ORDER BY state, reason)),
    text_html = '', reply_markup = NULL, media_file_id = NULL, details_deleted_at = ?
WHERE id = ? AND details_deleted_at IS NULL
"""


@dataclass(frozen=True)
class Cutoffs:
    """The moments that decide what goes: anything at or before each one."""

    inactive: datetime  # members with no activity since this are asked
    asked: datetime  # members asked at or before this, with no activity since, are removed
    done: datetime  # contact notes marked done at or before this
    finished: datetime  # broadcasts finished at or before this
    audit: datetime  # audit entries made at or before this
    survey_closed: datetime  # answers of surveys closed at or before this


@dataclass(frozen=True)
class Removed:
    """What one clean-up deleted, as counts."""

    contact_notes: int
    broadcasts: int
    audit_entries: int
    surveys: int  # surveys whose answers were deleted

    @property
    def anything(self) -> bool:
        """True when something was deleted."""
        return bool(self.contact_notes or self.broadcasts or self.audit_entries or self.surveys)


@dataclass(frozen=True)
class Activity:
    """What is stored about one member's activity."""

    last_active_at: datetime | None
    stay_asked_at: datetime | None


class RetentionRepository(Repository):
    """The SQL of the retention rules (asks are written with their message)."""

    # Activity

    async def record_activity(self, members: Iterable[int], now: datetime) -> None:
        """Mark these people active now (people who are not members are left alone); being
        active answers an ask to stay."""
        rows = [(to_db(now), member) for member in members]
        if not rows:
            return
        async with self._db.transaction() as tx:
            await tx.execute_many(
                "UPDATE members SET last_active_at = ?, stay_asked_at = NULL WHERE telegram_id = ?",
                rows,
            )

    async def stay(self, member_id: int, now: datetime) -> bool:
        """The member chose to stay: active now, not asked any more; False if not a member."""
        changed = await self._db.execute(
            "UPDATE members SET last_active_at = ?, stay_asked_at = NULL WHERE telegram_id = ?",
            (to_db(now), member_id),
        )
        return changed > 0

    async def activity(self, member_id: int) -> Activity | None:
        """What is stored about a member's activity, or None for someone who is not one."""
        row = await self._db.fetch_one(
            "SELECT last_active_at, stay_asked_at FROM members WHERE telegram_id = ?", (member_id,)
        )
        if row is None:
            return None
        return Activity(from_db(row["last_active_at"]), from_db(row["stay_asked_at"]))

    # Members

    async def forget_role_holders_asks(self) -> int:
        """A member given a role after being asked is not asked any more (asked again, later,
        if they lose the role and are still not active)."""
        return await self._db.execute(
            "UPDATE members SET stay_asked_at = NULL "
            f"WHERE stay_asked_at IS NOT NULL AND {_HAS_ROLE}"
        )

    async def members_to_ask(self, inactive: datetime, tx: Session) -> list[int]:
        """Members to ask whether they want to stay now, in ``tx``."""
        rows = await tx.fetch_all(
            f"SELECT telegram_id FROM members WHERE {_TO_ASK} ORDER BY telegram_id",
            {"inactive": to_db(inactive)},
        )
        return [row["telegram_id"] for row in rows]

    async def mark_asked(self, members: list[int], now: datetime, tx: Session) -> None:
        """Record, in the transaction that queues the question, that these members were asked."""
        await tx.execute_many(
            "UPDATE members SET stay_asked_at = ? WHERE telegram_id = ? AND stay_asked_at IS NULL",
            [(to_db(now), member) for member in members],
        )

    async def members_to_remove(self, asked: datetime) -> list[int]:
        """Members asked at or before ``asked`` who have not been active since."""
        rows = await self._db.fetch_all(
            f"SELECT telegram_id FROM members WHERE {_TO_REMOVE} ORDER BY telegram_id",
            {"asked": to_db(asked)},
        )
        return [row["telegram_id"] for row in rows]

    async def still_to_remove(self, member_id: int, asked: datetime) -> bool:
        """Checked again right before removing one member: still asked long enough ago, still
        not active since, still without a role."""
        found = await self._db.fetch_value(
            f"SELECT 1 FROM members WHERE telegram_id = :id AND {_TO_REMOVE}",
            {"id": member_id, "asked": to_db(asked)},
        )
        return found is not None

    # Counting ahead (/retention)

    async def _count(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> int:
        """The number a ``SELECT COUNT(*)`` gives."""
        return int(await self._db.fetch_value(sql, params))

    async def count_to_ask(self, inactive: datetime) -> int:
        """Members not asked yet with no activity since ``inactive``."""
        sql = f"SELECT COUNT(*) FROM members WHERE {_TO_ASK}"
        return await self._count(sql, {"inactive": to_db(inactive)})

    async def count_to_remove(self, asked: datetime, inactive: datetime | None) -> int:
        """Members asked at or before ``asked`` (and, when ``inactive`` is given, members not
        asked yet, with no activity since then, who would be asked and removed in time)."""
        sql = f"SELECT COUNT(*) FROM members WHERE ({_TO_REMOVE})"
        params = {"asked": to_db(asked), "inactive": to_db(inactive)}
        if inactive is not None:
            sql += f" OR ({_TO_ASK})"
        return await self._count(sql, params)

    async def count_role_holders_inactive(self, inactive: datetime) -> int:
        """Members holding a role with no activity since ``inactive`` (never asked or removed
        while they hold it)."""
        sql = f"SELECT COUNT(*) FROM members WHERE last_active_at <= :inactive AND {_HAS_ROLE}"
        return await self._count(sql, {"inactive": to_db(inactive)})

    async def count_contact_notes(self, done: datetime) -> int:
        """Contact notes marked done at or before ``done``."""
        sql = f"SELECT COUNT(*) FROM contact_requests WHERE {_DONE_NOTES}"
        return await self._count(sql, {"done": to_db(done)})

    async def count_broadcasts(self, finished: datetime) -> int:
        """Finished broadcasts whose text and rows would be deleted."""
        sql = f"{_NEEDED} SELECT COUNT(*) FROM broadcasts WHERE {_OLD_BROADCASTS}"
        return await self._count(sql, {"finished": to_db(finished)})

    async def count_audit_entries(self, before: datetime) -> int:
        """Audit entries made at or before ``before``."""
        return await self._count("SELECT COUNT(*) FROM audit_log WHERE at <= ?", (to_db(before),))

    async def count_surveys(self, closed: datetime) -> int:
        """Surveys whose answers would be deleted: closed at or before ``closed``, or due to
        close by then."""
        sql = f"SELECT COUNT(*) FROM surveys WHERE {_SURVEYS_AHEAD}"
        return await self._count(sql, {"closed": to_db(closed)})

    # Deleting

    async def clean_up(self, cutoffs: Cutoffs, now: datetime) -> Removed:
        """In one transaction: delete contact notes done long enough ago (with the text of
        every message about them), the text and rows of broadcasts finished long enough ago
        (their counts kept first), old audit entries, and every response and answer of
        surveys closed long enough ago (each survey marked)."""
        async with self._db.transaction() as tx:
            notes = [
                row["id"]
                for row in await tx.fetch_all(
                    f"SELECT id FROM contact_requests WHERE {_DONE_NOTES}",
                    {"done": to_db(cutoffs.done)},
                )
            ]
            about_notes: list[int] = []
            if notes:
                marks = ",".join(str(int(note)) for note in notes)
                about_notes = [
                    row["id"] for row in await tx.fetch_all(_NOTES_MESSAGES.format(ids=marks))
                ]
                await tx.execute(f"DELETE FROM contact_requests WHERE id IN ({marks})")
            old = [
                row["id"]
                for row in await tx.fetch_all(
                    f"{_NEEDED} SELECT id FROM broadcasts WHERE {_OLD_BROADCASTS}",
                    {"finished": to_db(cutoffs.finished)},
                )
            ]
            # Messages about a note go as part of it; only other broadcasts are counted.
            await self._delete_details(tx, about_notes, now)
            broadcasts = await self._delete_details(tx, old, now)
            audit = await tx.execute("DELETE FROM audit_log WHERE at <= ?", (to_db(cutoffs.audit),))
            surveys = await self._delete_survey_answers(tx, cutoffs.survey_closed, now)
        return Removed(len(notes), broadcasts, audit, surveys)

    @staticmethod
    async def _delete_survey_answers(tx: Session, closed: datetime, now: datetime) -> int:
        """Delete every finished response and its answers (free text too), and anything
        left in progress, of each survey closed at or before ``closed``; mark each survey.
        Invitations and the counts kept at closing stay. Return how many surveys."""
        rows = await tx.fetch_all(
            f"SELECT id FROM surveys WHERE {_OLD_SURVEYS}", {"closed": to_db(closed)}
        )
        if not rows:
            return 0
        ids = ",".join(str(int(row["id"])) for row in rows)
        await tx.execute(
            "DELETE FROM survey_answers WHERE response_id IN "
            f"(SELECT id FROM survey_responses WHERE survey_id IN ({ids}))"
        )
        await tx.execute(f"DELETE FROM survey_responses WHERE survey_id IN ({ids})")
        await tx.execute(f"DELETE FROM survey_progress WHERE survey_id IN ({ids})")
        await tx.execute(
            f"UPDATE surveys SET answers_deleted_at = ? WHERE id IN ({ids})", (to_db(now),)
        )
        return len(rows)

    @staticmethod
    async def _delete_details(tx: Session, broadcast_ids: list[int], now: datetime) -> int:
        """Keep each broadcast's counts, then delete its text, buttons, file and delivery
        rows; return how many broadcasts lost their details (each once)."""
        done = 0
        for broadcast_id in dict.fromkeys(broadcast_ids):
            if not await tx.execute(_KEEP_COUNTS, (to_db(now), broadcast_id)):
                continue  # already without details (a copy reached twice, say)
            await tx.execute("DELETE FROM deliveries WHERE broadcast_id = ?", (broadcast_id,))
            await tx.execute(
                "DELETE FROM broadcast_uploads WHERE broadcast_id = ?", (broadcast_id,)
            )
            done += 1
        return done


def kept_counts(text: str | None) -> list[tuple[str, str | None, int]] | None:
    """A broadcast's kept counts (state, reason, count), or None when none were kept."""
    if not text:
        return None
    return [(str(state), reason, int(count)) for state, reason, count in json.loads(text)]
