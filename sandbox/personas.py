"""The ready people in the sandbox's persona picker, and people added while it runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

CASEY = 700_000_004
DANA = 700_000_005
FIRST_ADDED_ID = 700_000_100


@dataclass(frozen=True)
class Persona:
    """A person you can be in the sandbox: a Telegram user of the emulator."""

    user_id: int
    first_name: str
    role: str
    hint: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the web page."""
        return asdict(self)


READY = (
    Persona(700_000_001, "Sam", "member", "Member, North West hub 1: join with North West"),
    Persona(700_000_002, "Priya", "member", "Member, Midlands: join with Midlands"),
    Persona(700_000_003, "Jordan", "visitor", "New visitor who has not joined yet"),
    Persona(CASEY, "Casey", "coordinator", "Coordinator: try /broadcast, /members, /audit"),
    Persona(DANA, "Dana", "decision-maker", "Decision-maker: receives consultation results"),
)
