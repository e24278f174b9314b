"""`newsdigest run --once`: one digest to every subscription, through the outbox like a scheduled slot.

The digests are stored under an idempotency key per subscription and minute (`digest:<id>:<minute>`)
and sent by the same dispatcher as the scheduler's, so a run killed half way and started again sends
only what was not recorded as sent, and a chat's next digest holds only what is new since this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.adapters.base import Adapter
from bot.config import Config
from bot.delivery.dispatch import Dispatcher, DispatchStats
from bot.delivery.outbox import BuildReport, SlotRequest, build_slots
from bot.delivery.ratelimit import LocalRateLimiter
from bot.delivery.selection import Planner
from bot.delivery.senders import sender_for
from bot.storage.chat_models import ChatRow, SubscriptionRow


def _subscriptions(engine: Engine, platforms: list[str]) -> list[int]:
    """Subscriptions that get digests (active, not paused) on the running platforms."""
    with Session(engine) as session:
        return list(
            session.scalars(
                select(SubscriptionRow.id)
                .join(ChatRow, SubscriptionRow.chat_ref == ChatRow.id)
                .where(SubscriptionRow.active, ~SubscriptionRow.paused, ChatRow.platform.in_(platforms))
                .order_by(SubscriptionRow.id)
            )
        )


async def deliver_once(
    engine: Engine,
    config: Config,
    planner: Planner,
    adapters: Mapping[str, Adapter],
    now: datetime | None = None,
) -> tuple[BuildReport, DispatchStats]:
    """Build this minute's digests and deliver everything open on these platforms (what an earlier run
    left too); waits about twice the time the rate needs, then leaves the rest to the next run."""
    slot = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    subs = await asyncio.to_thread(_subscriptions, engine, list(adapters))
    report = await asyncio.to_thread(
        build_slots,
        engine,
        planner,
        [SlotRequest(s, slot) for s in subs],
        config.delivery.nothing_new_message,
    )
    limiter = LocalRateLimiter(config.delivery.rate_per_second)
    senders = {platform: sender_for(adapter, limiter) for platform, adapter in adapters.items()}
    dispatcher = Dispatcher(engine, senders, limiter, config.delivery)
    stats = await dispatcher.drain(timeout=60 + 2 * report.messages / config.delivery.rate_per_second)
    return report, stats
