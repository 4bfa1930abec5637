"""How times are written to and read from the database: ISO 8601 text in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime | None) -> str | None:
    """A timezone-aware datetime as UTC ISO text (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    """UTC ISO text back to an aware datetime (None stays None)."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)
