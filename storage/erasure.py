"""Erasure: the one place that knows every table holding a person's data."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from storage.db import Database
from storage.erasure_list import ErasureList
from storage.progression import delete_contributions
from storage.surveys.answers import delete_traces

logger = logging.getLogger(__name__)


async def erase_person(
    db: Database, telegram_id: int, *, at: datetime | None = None, remember: bool = True
) -> bool:
    """Delete everything stored about a person in one transaction; True if they were a member.

    Their audit entries stay as anonymous history (actor and target cleared), and a member's
    leaving is kept only as a count for their region and hub. First the erasure is added to
    the erasure list beside the database (a keyed hash of the id and ``at``, default now), so
    restoring an older backup erases them again; ``remember=False`` is for that replay only.
    """
    if remember:
        try:
            await asyncio.to_thread(
                ErasureList.beside(db.path).record, telegram_id, at or datetime.now(UTC)
            )
        except Exception as exc:  # the erasure itself still happens
            logger.error("the erasure list could not be written: %s", type(exc).__name__)
    async with db.transaction() as tx:
        row = await tx.fetch_one(
            "SELECT region_id, hub_id FROM members WHERE telegram_id = ?", (telegram_id,)
        )
        if row is not None:
            await tx.execute(
                "INSERT INTO leaver_counts (region_id, hub_id, count) VALUES (?, ?, 1) "
                "ON CONFLICT (region_id, hub_id) DO UPDATE SET count = count + 1",
                (row["region_id"] or "", row["hub_id"] or ""),
            )
        await tx.execute("DELETE FROM members WHERE telegram_id = ?", (telegram_id,))
        await tx.execute("DELETE FROM roles WHERE telegram_id = ?", (telegram_id,))
        # Messages that name the person in their text go with them (their delivery rows with
        # them): an urgent request's notice and reminder, the note that they opened their
        # invitation link, a warning that a results pack did not reach them (a survey's is
        # labelled survey:<id>:<their id>), and any copy of those sent again.
        await tx.execute(
            "WITH RECURSIVE named(id) AS ("
            "SELECT notice_broadcast_id FROM contact_requests WHERE telegram_id = :who "
            "UNION SELECT reminder_broadcast_id FROM contact_requests WHERE telegram_id = :who "
            "UNION SELECT notice_broadcast_id FROM invitations WHERE telegram_id = :who "
            "UNION SELECT broadcast_id FROM results_warnings WHERE telegram_id = :who "
            "UNION SELECT id FROM broadcasts WHERE kind = 'results_warning' "
            "AND audience LIKE 'survey:%:' || :who "
            "UNION SELECT b.id FROM broadcasts b JOIN named n ON b.resend_of = n.id) "
            "DELETE FROM broadcasts WHERE id IN (SELECT id FROM named)",
            {"who": telegram_id},
        )
        await tx.execute("DELETE FROM contact_requests WHERE telegram_id = ?", (telegram_id,))
        await tx.execute("DELETE FROM invitations WHERE telegram_id = ?", (telegram_id,))
        await tx.execute("DELETE FROM results_warnings WHERE telegram_id = ?", (telegram_id,))
        await tx.execute(
            "UPDATE invitations SET created_by = NULL WHERE created_by = ?", (telegram_id,)
        )
        await tx.execute(
            "UPDATE contact_requests SET handled_by = NULL WHERE handled_by = ?", (telegram_id,)
        )
        # A coordinator who took someone's request: the claim stays, without who it was.
        await tx.execute(
            "UPDATE contact_requests SET claimed_by = NULL, claimed_name = NULL "
            "WHERE claimed_by = ?",
            (telegram_id,),
        )
        await tx.execute("UPDATE roles SET granted_by = NULL WHERE granted_by = ?", (telegram_id,))
        # Delivery rows name the recipient; broadcasts keep their text but not who wrote them.
        await tx.execute("DELETE FROM deliveries WHERE recipient_id = ?", (telegram_id,))
        await tx.execute(
            "UPDATE broadcasts SET created_by = NULL WHERE created_by = ?", (telegram_id,)
        )
        await tx.execute(
            "UPDATE broadcasts SET report_chat_id = NULL, progress_message_id = NULL "
            "WHERE report_chat_id = ?",
            (telegram_id,),
        )
        # Meeting answers are the member's; meetings keep their details but not who made them.
        await tx.execute("DELETE FROM meeting_rsvps WHERE member_id = ?", (telegram_id,))
        await tx.execute(
            "UPDATE meetings SET created_by = NULL WHERE created_by = ?", (telegram_id,)
        )
        await tx.execute(
            "UPDATE meeting_series SET created_by = NULL WHERE created_by = ?", (telegram_id,)
        )
        # Consultation answers and comments are the member's: deleted everywhere. A closed
        # consultation keeps only its anonymous counts (consultation_result_*).
        for table in (
            "consultation_choices",
            "consultation_comments",
            "consultation_invites",
        ):
            await tx.execute(f"DELETE FROM {table} WHERE member_id = ?", (telegram_id,))
        await tx.execute("DELETE FROM consultation_readers WHERE telegram_id = ?", (telegram_id,))
        for table in ("consultations", "consultation_followups", "surveys"):
            await tx.execute(
                f"UPDATE {table} SET created_by = NULL WHERE created_by = ?", (telegram_id,)
            )
        # Survey answers named to the member, their invitations and answers in progress go;
        # an anonymous survey's responses are linked to nobody, so they stay (its consent
        # screen says so).
        await delete_traces(tx, "member_id", telegram_id)
        await tx.execute("DELETE FROM survey_readers WHERE telegram_id = ?", (telegram_id,))
        # A repeating question or survey keeps going without who set it up or chose them.
        await tx.execute("DELETE FROM series_readers WHERE telegram_id = ?", (telegram_id,))
        await tx.execute("UPDATE series SET created_by = NULL WHERE created_by = ?", (telegram_id,))
        # Contributions noted for them go; ones they noted keep no recorder.
        await delete_contributions(tx, telegram_id)
        # Their journey: skills they added and what they hid.
        await tx.execute("DELETE FROM member_skills WHERE member_id = ?", (telegram_id,))
        await tx.execute("DELETE FROM journey_hidden WHERE member_id = ?", (telegram_id,))
        # Opportunities: their interest, outcomes and kind choices go, with the notices that
        # named them to a coordinator (and any copy sent again); posts keep no author.
        await tx.execute(
            "WITH RECURSIVE named(id) AS (SELECT id FROM broadcasts WHERE kind IN "
            "('opportunity_interest', 'opportunity_withdrawn') AND audience = :label "
            "UNION SELECT b.id FROM broadcasts b JOIN named n ON b.resend_of = n.id) "
            "DELETE FROM broadcasts WHERE id IN (SELECT id FROM named)",
            {"label": f"member:{telegram_id}"},
        )
        for table in ("opportunity_interest", "opportunity_outcomes", "member_opportunity_kinds"):
            await tx.execute(f"DELETE FROM {table} WHERE member_id = ?", (telegram_id,))
        await tx.execute(
            "UPDATE opportunities SET created_by = NULL WHERE created_by = ?", (telegram_id,)
        )
        await tx.execute(
            "UPDATE opportunity_outcomes SET recorded_by = NULL WHERE recorded_by = ?",
            (telegram_id,),
        )
        await tx.execute(
            "UPDATE group_chats SET linked_by = NULL WHERE linked_by = ?", (telegram_id,)
        )
        await tx.execute("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?", (telegram_id,))
        await tx.execute(
            "UPDATE audit_log SET target_id = NULL WHERE target_id = ?", (telegram_id,)
        )
    await db.scrub()
    return row is not None


# Every column erase_person looks at for a Telegram id: a restore finds, through these, who in
# an older backup has been erased since. A table added to erase_person belongs here too.
PERSON_COLUMNS = (
    ("members", "telegram_id"),
    ("roles", "telegram_id"),
    ("roles", "granted_by"),
    ("contact_requests", "telegram_id"),
    ("contact_requests", "handled_by"),
    ("contact_requests", "claimed_by"),
    ("invitations", "telegram_id"),
    ("invitations", "created_by"),
    ("results_warnings", "telegram_id"),
    ("deliveries", "recipient_id"),
    ("broadcasts", "created_by"),
    ("broadcasts", "report_chat_id"),
    ("meeting_rsvps", "member_id"),
    ("meetings", "created_by"),
    ("meeting_series", "created_by"),
    ("consultation_choices", "member_id"),
    ("consultation_comments", "member_id"),
    ("consultation_invites", "member_id"),
    ("consultation_readers", "telegram_id"),
    ("consultations", "created_by"),
    ("consultation_followups", "created_by"),
    ("survey_responses", "member_id"),
    ("survey_progress", "member_id"),
    ("survey_invites", "member_id"),
    ("survey_readers", "telegram_id"),
    ("surveys", "created_by"),
    ("series_readers", "telegram_id"),
    ("series", "created_by"),
    ("member_skills", "member_id"),
    ("member_contributions", "member_id"),
    ("member_contributions", "recorded_by"),
    ("journey_hidden", "member_id"),
    ("opportunity_interest", "member_id"),
    ("opportunity_outcomes", "member_id"),
    ("opportunity_outcomes", "recorded_by"),
    ("member_opportunity_kinds", "member_id"),
    ("opportunities", "created_by"),
    ("group_chats", "linked_by"),
    ("audit_log", "actor_id"),
    ("audit_log", "target_id"),
)


async def everyone(db: Database) -> set[int]:
    """Every Telegram id the database holds in any column erase_person clears."""
    union = " UNION ".join(
        f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
        for table, column in PERSON_COLUMNS
    )
    return {int(row[0]) for row in await db.fetch_all(union)}
