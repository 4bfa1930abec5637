"""Who reads a closed consultation's or survey's results: coordinators all of them, with the
words people wrote; decision-makers only those they were chosen for; anyone else is refused and
the refusal audited. The pack at closing goes to the coordinators and the chosen decision-makers
who still hold the role."""

from __future__ import annotations

from typing import Any, Protocol

from bot.services.errors import NotAllowed
from bot.services.outreach import Outreach
from storage.roles import COORDINATOR, DECISION_MAKER


class ReadersRows(Protocol):
    """The repository of the thing with results (storage/scheduled.py's `ScheduledRows`)."""

    async def closed(self, limit: int = ..., reader: int | None = None) -> list[Any]:
        """Closed ones, newest first; only those ``reader`` receives when given."""
        ...

    async def is_reader(self, row_id: int, telegram_id: int) -> bool:
        """True when this person was chosen to receive the results."""
        ...

    async def readers(self, row_id: int) -> list[int]:
        """The decision-makers chosen to receive the results."""
        ...


async def readable(service: Outreach, rows: ReadersRows, actor_id: int) -> list[Any]:
    """The closed rows this person may see results for (NotAllowed, audited, for anyone else)."""
    roles = await service.roles.roles_of(actor_id)
    if COORDINATOR in roles:
        return await rows.closed()
    if DECISION_MAKER in roles:
        return await rows.closed(reader=actor_id)
    await service.audit.record(actor_id, "refused", service.clock.now(), detail="results")
    raise NotAllowed


async def may_read(
    service: Outreach, rows: ReadersRows, actor_id: int, row_id: int, detail: str
) -> bool:
    """Whether this person may read this one's results pack: True for a coordinator (who sees
    what people wrote too), False for a chosen decision-maker; NotAllowed, audited with
    ``detail``, for anyone else."""
    roles = await service.roles.roles_of(actor_id)
    if COORDINATOR in roles:
        return True
    if DECISION_MAKER in roles and await rows.is_reader(row_id, actor_id):
        return False
    await service.audit.record(actor_id, "refused", service.clock.now(), detail=detail)
    raise NotAllowed


async def pack_recipients(
    service: Outreach, rows: ReadersRows, row_id: int
) -> tuple[list[int], list[int]]:
    """Who the pack at closing goes to: the coordinators, and the chosen decision-makers who
    still hold the role (someone whose role was taken away since gets nothing) and are not
    coordinators too."""
    coordinators = await service.roles.coordinators()
    current = set(await service.roles.decision_makers())
    readers = [
        reader
        for reader in await rows.readers(row_id)
        if reader in current and reader not in coordinators
    ]
    return coordinators, readers
