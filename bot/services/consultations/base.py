"""What every part of the consultation service works with: the outreach fields, the database,
the consultations' repository and the renderer of their messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.consultations.messages import ConsultationMessages
from bot.services.outreach import Outreach
from storage.consultations import ConsultationRepository
from storage.db import Database, Session


@dataclass(eq=False)
class ConsultationBase(Outreach):
    """The shared fields; a part is built from the service with ``Part.sharing(service, ...)``."""

    db: Database
    consultations: ConsultationRepository
    messages: ConsultationMessages

    async def record(
        self,
        actor_id: int | None,
        what: str,
        consultation_id: int,
        now: datetime,
        more: str = "",
        tx: Session | None = None,
    ) -> None:
        """An audit entry ``consultation.<what>`` whose detail starts with the consultation, as
        the audit page reads it: ``consultation <id>``, then ``more``."""
        detail = f"consultation {consultation_id}{more}"
        await self.audit.record(actor_id, f"consultation.{what}", now, detail=detail, tx=tx)
