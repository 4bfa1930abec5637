"""Erasing again, after a restore, everyone on the erasure list who is back in the database
only because the backup was taken before they left."""

from __future__ import annotations

import asyncio

from storage.audit import AuditRepository
from storage.backup import rejoined_at
from storage.db import Database
from storage.erasure import erase_person, everyone
from storage.erasure_list import ErasureList


async def erase_again(db: Database, erasures: ErasureList) -> int:
    """Erase each person in ``db`` whose keyed hash is on the list, unless they joined again
    (or were given a role) after that erasure; return how many were erased. Each erasure is
    recorded in the audit log as a member leaving, at the time they left."""
    entries = await asyncio.to_thread(erasures.entries)
    if not entries:
        return 0
    digest = await asyncio.to_thread(erasures.hasher)
    audit = AuditRepository(db)
    erased = 0
    for telegram_id in sorted(await everyone(db)):
        left_at = entries.get(digest(telegram_id))
        if left_at is None:
            continue
        came_back = await rejoined_at(db, telegram_id)
        if came_back is not None and came_back > left_at:
            continue
        was_member = await erase_person(db, telegram_id, remember=False)
        if was_member:
            await audit.record(None, "member.erased", left_at)
        erased += 1
    return erased
