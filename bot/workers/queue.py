"""The queue side of scale-out: the scheduler in `newsdigest run` enqueues, workers do the work.

Job ids are the idempotency keys (`digest:<subscription>:<slot>`, `poll:<source>:<period>`): arq refuses
a second job with an id that is queued, running or kept as a result, so one slot is one job however
often it is enqueued; the outbox key in the store is the second lock behind it.
"""

from __future__ import annotations

import time
from typing import Any

from arq.connections import RedisSettings

from bot.config import WorkersConfig
from bot.delivery.outbox import SlotRequest, slot_key
from bot.scheduling.polling import PollOutcome


def redis_settings(config: WorkersConfig) -> RedisSettings:
    return RedisSettings.from_dsn(config.redis_url)


class QueueBackend:
    """`Runtime.build` / `Runtime.poll` for scale-out: enqueue with unique job ids."""

    def __init__(self, pool: Any, config: WorkersConfig, poll_seconds: float) -> None:
        self.pool = pool
        self.queue = config.queue_name
        self.poll_seconds = poll_seconds

    async def build(self, requests: list[SlotRequest]) -> None:
        for r in requests:
            await self.pool.enqueue_job(
                "build_slot",
                r.subscription_id,
                r.slot.isoformat(),
                r.catch_up,
                _job_id=slot_key(r.subscription_id, r.slot),
                _queue_name=self.queue,
            )

    async def poll(self, source_id: int) -> PollOutcome | None:
        period = int(time.time() // max(self.poll_seconds, 1))
        await self.pool.enqueue_job(
            "poll_source", source_id, _job_id=f"poll:{source_id}:{period}", _queue_name=self.queue
        )
        return None
