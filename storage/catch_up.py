"""Late joiners: open consultations, open surveys and upcoming meetings a member was not asked
about yet, and writing their invitation row once (the same rows the opening and creating paths
write). Everything runs in the caller's transaction, which queues each invitation's message
too."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, Session
from storage.timefmt import to_db

# An audience (scope, place) that includes a region and hub given as two parameters.
_FOR_PLACE = (
    "(audience_scope = 'everyone' "
    "OR (audience_scope = 'region' AND audience_place = ?) "
    "OR (audience_scope = 'hub' AND audience_place = ?))"
)
# The same test against the member row ``m`` joined in the statement (its current place).
_FOR_MEMBER = (
    "(x.audience_scope = 'everyone' "
    "OR (x.audience_scope = 'region' AND x.audience_place = m.region_id) "
    "OR (x.audience_scope = 'hub' AND x.audience_place = m.hub_id))"
)


# (table, state, time column, invitation table, its key): what a late joiner may be asked to.
_OPEN_CONSULTATIONS = (
    "consultations",
    "open",
    "closes_at",
    "consultation_invites",
    "consultation_id",
)
_COMING_MEETINGS = ("meetings", "scheduled", "starts_at", "meeting_rsvps", "meeting_id")
# A meeting's feedback survey asks those marked as came, not a place: never a late joiner.
_NOT_FEEDBACK = "id NOT IN (SELECT survey_id FROM meeting_feedback WHERE survey_id IS NOT NULL)"


class CatchUpRepository:
    """Finds what a member missed and invites them, one row per consultation or meeting."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def consultations_not_asked(
        self,
        member_id: int,
        region_id: str | None,
        hub_id: str | None,
        closing_after: datetime,
        tx: Session,
    ) -> list[int]:
        """Open consultations for this region and hub, closing after ``closing_after``, that
        the member has no invitation to; soonest deadline first."""
        params = (to_db(closing_after), region_id, hub_id, member_id)
        return await _not_invited(tx, _OPEN_CONSULTATIONS, params)

    async def invite_to_consultation(
        self, consultation_id: int, member_id: int, closing_after: datetime, tx: Session
    ) -> bool:
        """Write the member's invitation with their region and hub as they are now (as opening
        does), if the consultation is still open past ``closing_after`` and its audience
        includes them; False when it was not written (already invited, or no longer fits)."""
        return (
            await tx.execute(
                "INSERT OR IGNORE INTO consultation_invites (consultation_id, member_id, "
                "region_id, hub_id) SELECT x.id, m.telegram_id, COALESCE(m.region_id, ''), "
                "COALESCE(m.hub_id, '') FROM consultations x JOIN members m "
                f"ON m.telegram_id = ? WHERE x.id = ? AND x.state = 'open' AND x.closes_at > ? "
                f"AND {_FOR_MEMBER}",
                (member_id, consultation_id, to_db(closing_after)),
            )
            == 1
        )

    async def surveys_not_asked(
        self,
        member_id: int,
        region_id: str | None,
        hub_id: str | None,
        closing_after: datetime,
        tx: Session,
    ) -> list[int]:
        """Open surveys for this region and hub (not a meeting's feedback survey), closing
        after ``closing_after``, that the member has no invitation to (asked, finished or
        withdrawn); soonest closing first."""
        rows = await tx.fetch_all(
            f"SELECT id FROM surveys WHERE state = 'open' AND closes_at > ? AND {_FOR_PLACE} "
            f"AND {_NOT_FEEDBACK} "
            "AND id NOT IN (SELECT survey_id FROM survey_invites WHERE member_id = ?) "
            "ORDER BY closes_at, id",
            (to_db(closing_after), region_id, hub_id, member_id),
        )
        return [row["id"] for row in rows]

    async def invite_to_survey(
        self, survey_id: int, member_id: int, closing_after: datetime, tx: Session
    ) -> bool:
        """Write the member's invitation (as opening does: no time, nothing answered), if the
        survey is still open past ``closing_after`` and its audience includes them; False when
        it was not written (already asked, or no longer fits)."""
        return (
            await tx.execute(
                "INSERT OR IGNORE INTO survey_invites (survey_id, member_id) "
                "SELECT x.id, m.telegram_id FROM surveys x JOIN members m ON m.telegram_id = ? "
                "WHERE x.id = ? AND x.state = 'open' AND x.closes_at > ? "
                f"AND x.{_NOT_FEEDBACK} AND {_FOR_MEMBER}",
                (member_id, survey_id, to_db(closing_after)),
            )
            == 1
        )

    async def meetings_not_invited(
        self,
        member_id: int,
        region_id: str | None,
        hub_id: str | None,
        now: datetime,
        tx: Session,
    ) -> list[int]:
        """Scheduled meetings for this region and hub that start after ``now`` and have no row
        for the member (not invited, not answered); soonest first."""
        return await _not_invited(tx, _COMING_MEETINGS, (to_db(now), region_id, hub_id, member_id))

    async def invite_to_meeting(
        self, meeting_id: int, member_id: int, now: datetime, tx: Session
    ) -> bool:
        """Write the member's invited row (as creating a meeting does), if the meeting is still
        scheduled, has not started and is for their places; False when it was not written."""
        return (
            await tx.execute(
                "INSERT OR IGNORE INTO meeting_rsvps (meeting_id, member_id, invited) "
                "SELECT x.id, m.telegram_id, 1 FROM meetings x JOIN members m "
                "ON m.telegram_id = ? WHERE x.id = ? AND x.state = 'scheduled' "
                f"AND x.starts_at > ? AND {_FOR_MEMBER}",
                (member_id, meeting_id, to_db(now)),
            )
            == 1
        )


async def _not_invited(
    tx: Session, kind: tuple[str, str, str, str, str], params: tuple[object, ...]
) -> list[int]:
    """Ids of ``kind`` (table, state, time column, invitation table, its key) in that state,
    whose time is after the first parameter, for the place given, with no invitation row for
    the member; soonest first. The names are this module's own constants."""
    table, state, time_column, rows_table, key = kind
    rows = await tx.fetch_all(
        f"SELECT id FROM {table} WHERE state = '{state}' AND {time_column} > ? "
        f"AND {_FOR_PLACE} AND id NOT IN (SELECT {key} FROM {rows_table} WHERE member_id = ?) "
        f"ORDER BY {time_column}, id",
        params,
    )
    return [row["id"] for row in rows]
