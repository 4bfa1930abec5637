"""Broadcast records: what is stored for one message to many people, and how it is written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Row, Session
from storage.rows import record
from storage.timefmt import to_db

QUEUED, SENDING, DONE, CANCELLED = "queued", "sending", "done", "cancelled"
# Coordinators' own messages are numbered apart from the bot's notices (meeting invitations,
# reminders, consultation messages, urgent contact notices ...): each counts 1, 2, 3 ...
COORDINATOR_KIND = "broadcast"


@dataclass(frozen=True)
class StoredUpload:
    """A file the bot made for a broadcast, kept until Telegram gives it a file_id."""

    filename: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class NewBroadcast:
    """What to send and to whom, before it is stored."""

    kind: str
    text_html: str
    created_by: int | None
    media_kind: str | None = None
    media_file_id: str | None = None
    reply_markup: str | None = None
    urgent: bool = False
    preference: str | None = None
    audience: str = ""
    not_before: datetime | None = None
    report_chat_id: int | None = None
    upload: StoredUpload | None = None  # bytes to send when there is no media_file_id yet
    must_reach: bool = False  # sent even to people who paused or were marked unreachable
    resend_of: int | None = None  # the broadcast this one sends again
    number: int | None = None  # None: the next number of its group
    thread_id: int | None = None  # a group's topic to post in


@dataclass(frozen=True)
class Broadcast:
    """One stored broadcast."""

    id: int
    kind: str
    created_by: int | None
    created_at: datetime
    text_html: str
    media_kind: str | None
    media_file_id: str | None
    reply_markup: str | None
    urgent: bool
    preference: str | None
    audience: str
    not_before: datetime | None
    state: str
    total: int
    started_at: datetime | None
    finished_at: datetime | None
    report_chat_id: int | None
    progress_message_id: int | None
    reported: bool
    must_reach: bool = False
    number: int = 0  # what coordinators see: "Message 3", "Notice 12"
    resend_of: int | None = None
    thread_id: int | None = None  # a group's topic to post in

    @property
    def by_coordinator(self) -> bool:
        """A coordinator's own message (not one of the bot's notices)."""
        return self.kind == COORDINATOR_KIND


@dataclass(frozen=True)
class Resent:
    """A copy queued for people a broadcast may not have reached."""

    broadcast_id: int
    original_id: int
    recipients: int


@dataclass(frozen=True)
class StateCount:
    """How many of a broadcast's rows are in one state, for one reason."""

    state: str
    reason: str | None
    count: int


COLUMNS = (
    "id, kind, created_by, created_at, text_html, media_kind, media_file_id, reply_markup, "
    "urgent, preference, audience, not_before, state, total, started_at, finished_at, "
    "report_chat_id, progress_message_id, reported, must_reach, number, resend_of, thread_id"
)


def broadcast_from_row(row: Row) -> Broadcast:
    """Turn a row into a Broadcast."""
    return record(Broadcast, row)


# The expression matches the index broadcasts_by_number (migration 0009), so it is one seek.
NEXT_NUMBER = (
    "SELECT COALESCE(MAX(number), 0) + 1 FROM broadcasts "
    f"WHERE (kind = '{COORDINATOR_KIND}') = ? AND resend_of IS NULL"
)


async def write_broadcast(
    tx: Session, new: NewBroadcast, recipients: Iterable[int], now: datetime
) -> int:
    """Insert the broadcast, its file to upload (if any) and one pending row per distinct
    recipient, in ``tx``; return its id."""
    unique = list(dict.fromkeys(int(r) for r in recipients))
    stamp = to_db(now)
    number = new.number
    if number is None:
        number = await tx.fetch_value(NEXT_NUMBER, (int(new.kind == COORDINATOR_KIND),))
    broadcast_id = await tx.insert(
        "INSERT INTO broadcasts (kind, created_by, created_at, text_html, media_kind, "
        "media_file_id, reply_markup, urgent, preference, audience, not_before, total, "
        "report_chat_id, must_reach, resend_of, number, thread_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.kind,
            new.created_by,
            stamp,
            new.text_html,
            new.media_kind,
            new.media_file_id,
            new.reply_markup,
            int(new.urgent),
            new.preference,
            new.audience,
            to_db(new.not_before),
            len(unique),
            new.report_chat_id,
            int(new.must_reach),
            new.resend_of,
            number,
            new.thread_id,
        ),
    )
    if new.upload is not None:
        await tx.execute(
            "INSERT INTO broadcast_uploads (broadcast_id, filename, data) VALUES (?, ?, ?)",
            (broadcast_id, new.upload.filename, new.upload.data),
        )
    await tx.execute_many(
        "INSERT INTO deliveries (broadcast_id, recipient_id, updated_at) VALUES (?, ?, ?)",
        [(broadcast_id, recipient, stamp) for recipient in unique],
    )
    return broadcast_id
