"""The one delivery engine: a durable outbox in SQLite and a worker that keeps Telegram's limits.

Use ``DeliveryService.enqueue`` to send one message to many people; ``build_delivery`` wires
the engine from settings.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.delivery.audience import Audience, AudienceResolver
from bot.delivery.content import DOCUMENT, PHOTO, FileUpload, Media
from bot.delivery.limiter import SendLimiter
from bot.delivery.monitor import DeliveryListener, DeliveryMonitor
from bot.delivery.policy import RetryPolicy
from bot.delivery.quiet import QuietHours
from bot.delivery.service import DeliveryService
from bot.delivery.status import BroadcastStatus, DeliveryCounts
from bot.delivery.transport import BotApiTransport
from bot.delivery.worker import IN_FLIGHT, DeliveryWorker, Transport
from config.settings import Settings
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.members import MemberRepository


def quiet_hours(settings: Settings) -> QuietHours:
    """The quiet hours from settings."""
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.zone)


def build_delivery(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    transport: Transport | None = None,
    audit: AuditRepository | None = None,
    in_flight: int = IN_FLIGHT,
    rate_per_second: float | None = None,
    unlimited: bool = False,
) -> DeliveryService:
    """Wire the outbox, worker and monitor from settings (nothing starts until ``start``).

    ``rate_per_second`` overrides the setting and ``unlimited`` lifts the overall rate (the
    per-chat pace stays): both for tests and benchmarks only.
    """
    rate = None if unlimited else (rate_per_second or settings.delivery_rate_per_second)
    if transport is None:
        if settings.bot_token is None:
            raise ValueError("the delivery engine needs BOT_TOKEN")
        transport = BotApiTransport(
            settings.bot_api_base_url,
            settings.bot_token.get_secret_value(),
            pool_size=in_flight * 2,
            read_timeout=settings.delivery_send_timeout_seconds,
        )
    quiet = quiet_hours(settings)
    broadcasts = BroadcastRepository(db)
    deliveries = DeliveryRepository(db)
    policy = RetryPolicy(
        max_attempts=settings.delivery_max_attempts,
        base_seconds=settings.delivery_retry_base_seconds,
    )
    worker = DeliveryWorker(
        deliveries,
        broadcasts,
        MemberRepository(db),
        transport,
        SendLimiter(rate),
        policy,
        quiet,
        clock,
        in_flight=in_flight,
        stop_grace=settings.delivery_send_timeout_seconds + 15,
    )
    monitor = DeliveryMonitor(
        broadcasts, audit, quiet, clock, progress_seconds=settings.delivery_progress_seconds
    )
    return DeliveryService(broadcasts, worker, monitor, clock, deliveries)


__all__ = [
    "DOCUMENT",
    "IN_FLIGHT",
    "PHOTO",
    "Audience",
    "AudienceResolver",
    "BroadcastStatus",
    "DeliveryCounts",
    "DeliveryListener",
    "DeliveryService",
    "FileUpload",
    "Media",
    "QuietHours",
    "build_delivery",
    "quiet_hours",
]
