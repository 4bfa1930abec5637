"""Results packs that could not reach a decision-maker: which broadcasts are pack parts, who a
part did not reach, and the warnings coordinators got (once per pack and person).

A consultation's parts and warnings have their own tables (migration 0009). A survey's pack
parts to its chosen decision-makers carry the audience label ``survey:<id>`` instead, and the
warning about one person is the broadcast labelled ``survey:<id>:<telegram id>``: the label is
both the once-mark (checked in the transaction that queues the warning) and, for erasure, what
names the person (storage/erasure.py deletes it with them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Session
from storage.timefmt import to_db


@dataclass(frozen=True)
class UnreachedReader:
    """A decision-maker a results pack did not reach, not warned about yet."""

    consultation_id: int
    telegram_id: int
    state: str  # 'failed', or 'cancelled' (skipped)
    reason: str | None
    name: str | None


_UNWARNED = """
SELECT p.consultation_id, d.recipient_id, d.state, d.reason,
       COALESCE(m.first_name,
                (SELECT MAX(r.first_name) FROM roles r WHERE r.telegram_id = d.recipient_id))
         AS name
FROM results_pack_parts p
JOIN deliveries d ON d.broadcast_id = p.broadcast_id
LEFT JOIN members m ON m.telegram_id = d.recipient_id
WHERE (d.state = 'failed' OR (d.state = 'cancelled' AND d.reason IN ('unreachable', 'paused')))
  AND d.resent_in IS NULL
  AND NOT EXISTS (SELECT 1 FROM results_warnings w
                  WHERE w.consultation_id = p.consultation_id
                    AND w.telegram_id = d.recipient_id)
ORDER BY p.consultation_id, d.id
"""


_SURVEY_UNWARNED = """
SELECT b.audience, d.recipient_id, d.state, d.reason,
       COALESCE(m.first_name,
                (SELECT MAX(r.first_name) FROM roles r WHERE r.telegram_id = d.recipient_id))
         AS name
FROM broadcasts b
JOIN deliveries d ON d.broadcast_id = b.id
LEFT JOIN members m ON m.telegram_id = d.recipient_id
WHERE b.kind = :pack AND b.audience LIKE 'survey:%'
  AND (d.state = 'failed' OR (d.state = 'cancelled' AND d.reason IN ('unreachable', 'paused')))
  AND d.resent_in IS NULL
  AND NOT EXISTS (SELECT 1 FROM broadcasts w
                  WHERE w.kind = :warning AND w.audience = b.audience || ':' || d.recipient_id)
ORDER BY b.id, d.id
"""


def survey_pack_label(survey_id: int) -> str:
    """The audience label of a survey's pack parts to its chosen decision-makers."""
    return f"survey:{survey_id}"


def survey_warning_label(survey_id: int, telegram_id: int) -> str:
    """The audience label of the warning that a survey's pack did not reach this person."""
    return f"{survey_pack_label(survey_id)}:{telegram_id}"


@dataclass(frozen=True)
class UnreachedSurveyReader:
    """A decision-maker a survey's results pack did not reach, not warned about yet."""

    survey_id: int
    telegram_id: int
    state: str  # 'failed', or 'cancelled' (skipped)
    reason: str | None
    name: str | None


class ResultsWarningRepository:
    """Reads and writes results-pack parts and the warnings about them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def link(self, broadcast_id: int, consultation_id: int, tx: Session) -> None:
        """Record, in the transaction that queues it, that a broadcast is part of a pack."""
        await tx.execute(
            "INSERT INTO results_pack_parts (broadcast_id, consultation_id) VALUES (?, ?)",
            (broadcast_id, consultation_id),
        )

    async def unwarned(self) -> list[UnreachedReader]:
        """Decision-makers a pack part did not reach, one per pack and person, not warned yet."""
        seen: set[tuple[int, int]] = set()
        found = []
        for row in await self._db.fetch_all(_UNWARNED):
            key = (row["consultation_id"], row["recipient_id"])
            if key in seen:
                continue
            seen.add(key)
            found.append(
                UnreachedReader(
                    row["consultation_id"],
                    row["recipient_id"],
                    row["state"],
                    row["reason"],
                    row["name"],
                )
            )
        return found

    async def record(
        self,
        consultation_id: int,
        telegram_id: int,
        reason: str,
        now: datetime,
        tx: Session,
    ) -> bool:
        """Take the warning for this pack and person; False if it was taken already."""
        changed = await tx.execute(
            "INSERT OR IGNORE INTO results_warnings "
            "(consultation_id, telegram_id, reason, warned_at) VALUES (?, ?, ?, ?)",
            (consultation_id, telegram_id, reason, to_db(now)),
        )
        return changed > 0

    async def set_broadcast(
        self, consultation_id: int, telegram_id: int, broadcast_id: int, tx: Session
    ) -> None:
        """Remember the warning's message (it names the person, so it goes with them)."""
        await tx.execute(
            "UPDATE results_warnings SET broadcast_id = ? "
            "WHERE consultation_id = ? AND telegram_id = ?",
            (broadcast_id, consultation_id, telegram_id),
        )

    async def unwarned_surveys(
        self, pack_kind: str, warning_kind: str
    ) -> list[UnreachedSurveyReader]:
        """Decision-makers a survey's pack part (broadcasts of ``pack_kind`` labelled
        ``survey:<id>``) did not reach, one per survey and person, with no warning (of
        ``warning_kind``) about them yet."""
        seen: set[tuple[int, int]] = set()
        found = []
        rows = await self._db.fetch_all(
            _SURVEY_UNWARNED, {"pack": pack_kind, "warning": warning_kind}
        )
        for row in rows:
            survey_id = _survey_of(row["audience"])
            key = (survey_id, row["recipient_id"])
            if survey_id is None or key in seen:
                continue
            seen.add(key)
            found.append(
                UnreachedSurveyReader(
                    survey_id, row["recipient_id"], row["state"], row["reason"], row["name"]
                )
            )
        return found

    async def survey_warned(
        self, survey_id: int, telegram_id: int, warning_kind: str, tx: Session
    ) -> bool:
        """Whether coordinators were warned already that this survey's pack did not reach
        this person (read in the transaction that would queue the warning)."""
        found = await tx.fetch_value(
            "SELECT COUNT(*) FROM broadcasts WHERE kind = ? AND audience = ?",
            (warning_kind, survey_warning_label(survey_id, telegram_id)),
        )
        return bool(found)


def _survey_of(label: str) -> int | None:
    """The survey id of a pack part's label ``survey:<id>``, or None for any other."""
    scope, _, rest = label.partition(":")
    return int(rest) if scope == "survey" and rest.isdigit() else None
