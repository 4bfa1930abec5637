"""Faults injected on demand: server errors, 429s and hangs before or after delivery."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import ApiError

KINDS = frozenset({"500", "502", "429", "timeout_before", "timeout_after", "disconnect"})
ANY_SENDING = "*"


@dataclass(slots=True)
class Fault:
    """One injected fault that fires on the next ``count`` matching calls."""

    method: str | None
    kind: str
    count: int = 1
    retry_after: int = 1
    hang_seconds: float = 10.0
    fired: int = field(default=0)

    @property
    def remaining(self) -> int:
        """How many more calls this fault will hit."""
        return self.count - self.fired

    def error(self) -> ApiError:
        """Return the API error this fault answers with (for the error kinds)."""
        if self.kind == "500":
            return ApiError(500, "Internal Server Error")
        if self.kind == "502":
            return ApiError(502, "Bad Gateway")
        if self.kind == "429":
            return ApiError(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                retry_after=self.retry_after,
            )
        return ApiError(504, "Gateway Timeout")

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description."""
        return {**asdict(self), "remaining": self.remaining}


class FaultPlan:
    """Queues of pending faults, keyed by lower-case method name or ``*`` for sending methods."""

    def __init__(self) -> None:
        """Start with nothing injected."""
        self._queues: dict[str, deque[Fault]] = {}
        self.fired_total = 0

    def __bool__(self) -> bool:
        """Return whether any fault is pending (a cheap check before every request)."""
        return bool(self._queues)

    def add(self, fault: Fault) -> Fault:
        """Queue ``fault``; faults for the same key fire in the order they were added."""
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {sorted(KINDS)}")
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        key = fault.method.lower() if fault.method else ANY_SENDING
        self._queues.setdefault(key, deque()).append(fault)
        return fault

    def take(self, method_key: str, sending: bool) -> Fault | None:
        """Return the fault that hits this call of ``method_key`` (lower-case), if any."""
        queue = self._queues.get(method_key)
        key = method_key
        if queue is None and sending:
            key = ANY_SENDING
            queue = self._queues.get(key)
        if queue is None:
            return None
        fault = queue[0]
        fault.fired += 1
        self.fired_total += 1
        if fault.remaining <= 0:
            queue.popleft()
            if not queue:
                del self._queues[key]
        return fault

    def pending(self) -> list[Fault]:
        """Return the faults still waiting to fire."""
        return [fault for queue in self._queues.values() for fault in queue]

    def clear(self) -> None:
        """Drop every pending fault."""
        self._queues.clear()
