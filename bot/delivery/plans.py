"""The calls each running broadcast makes, worked out once and kept while it runs.

A file the bot made (a chart, a CSV) is read from the database once per broadcast and kept in
memory while it runs; the first send that uploads it gives a file_id, which is stored on the
broadcast and used for every later send (sends already in the air may upload it too).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.delivery.content import FileUpload, Media, Outgoing, plan, upload_field, with_file_id
from bot.delivery.policy import Outcome, Verdict
from storage.broadcasts import BroadcastRepository

logger = logging.getLogger(__name__)


class BroadcastPlans:
    """Each broadcast's calls (None when it cannot be sent), read once and kept while it runs."""

    def __init__(self, broadcasts: BroadcastRepository) -> None:
        self._broadcasts = broadcasts
        self._plans: dict[int, list[Outgoing] | None] = {}

    def forget(self, broadcast_id: int) -> None:
        """Drop a broadcast's cached content (used once it has finished)."""
        self._plans.pop(broadcast_id, None)

    def parts(self, broadcast_id: int) -> int:
        """How many calls a broadcast already planned makes (0 when unknown)."""
        return len(self._plans.get(broadcast_id) or [])

    async def call(self, broadcast_id: int, part: int) -> Outgoing | None:
        """The call for one part of a broadcast; None when it cannot be sent."""
        steps = await self.steps(broadcast_id)
        return steps[part] if steps and part < len(steps) else None

    async def steps(self, broadcast_id: int) -> list[Outgoing] | None:
        """A broadcast's calls, worked out once and kept while it runs (with the bytes of a
        file still to upload, read once)."""
        if broadcast_id not in self._plans:
            self._plans[broadcast_id] = await self._read(broadcast_id)
        return self._plans[broadcast_id]

    async def _read(self, broadcast_id: int) -> list[Outgoing] | None:
        """Read a broadcast and its upload from the database and plan its calls."""
        broadcast = await self._broadcasts.get(broadcast_id)
        if broadcast is None:
            return None
        try:
            media = None
            if broadcast.media_kind and broadcast.media_file_id:
                media = Media(broadcast.media_kind, broadcast.media_file_id)
            elif broadcast.media_kind:
                stored = await self._broadcasts.upload(broadcast_id)
                if stored is None:
                    raise ValueError("media without a file_id or an upload")
                upload = FileUpload(stored.filename, stored.data)
                media = Media(broadcast.media_kind, upload=upload)
            calls = plan(broadcast.text_html, media, broadcast.reply_markup)
            if broadcast.thread_id is not None:  # a group's topic
                for call in calls:
                    call.params["message_thread_id"] = broadcast.thread_id
            return calls
        except ValueError:
            logger.error("broadcast %d has no content that can be sent", broadcast_id)
            return None

    async def learn_file_ids(self, finished: Iterable[tuple[int, Outgoing, Outcome]]) -> None:
        """After an upload went through, send the rest of its broadcast by Telegram's file_id
        (from now on, and after a restart): the bytes go once, not to every recipient."""
        for broadcast_id, call, outcome in finished:
            if outcome.verdict is not Verdict.SENT or not outcome.file_id:
                continue
            if upload_field(call) is None:
                continue
            steps = self._plans.get(broadcast_id)
            if not steps or not any(upload_field(step) for step in steps):
                continue  # another upload of the same file got there first
            self._plans[broadcast_id] = with_file_id(steps, outcome.file_id)
            try:
                await self._broadcasts.set_media_file_id(broadcast_id, outcome.file_id)
            except Exception as exc:  # only costs another upload after a restart
                logger.error("could not store an upload's file_id: %s", type(exc).__name__)
