"""The scheduler and the outbox inside `newsdigest run`, in one process or in front of workers.

Single process: jobs build digests and poll sources inline and a dispatcher delivers. Scale-out
(`workers.enabled`): jobs only enqueue arq jobs with unique ids; `newsdigest worker` processes build,
poll and deliver.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from bot.adapters.base import Adapter
from bot.delivery.dispatch import Dispatcher
from bot.delivery.outbox import SlotRequest, build_slots
from bot.delivery.ratelimit import LocalRateLimiter
from bot.delivery.senders import sender_for
from bot.delivery.stories import make_planner
from bot.scheduling.polling import PollOutcome, poll_source
from bot.scheduling.service import Runtime, start_scheduler, stop_scheduler

log = logging.getLogger(__name__)


async def run_scheduled(news: Any, adapters: Mapping[str, Adapter], stop: asyncio.Event) -> None:
    """Run the scheduler (and, in single-process mode, the dispatcher) until `stop` is set."""
    config, engine = news.config, news.engine
    dispatcher: Dispatcher | None = None
    pool: Any = None
    if config.workers.enabled:
        from arq import create_pool

        from bot.workers.queue import QueueBackend, redis_settings

        pool = await create_pool(redis_settings(config.workers))
        backend = QueueBackend(pool, config.workers, config.schedule.poll_interval_minutes * 60)
        runtime = Runtime(engine, config, backend.build, backend.poll)
    else:
        limiter = LocalRateLimiter(config.delivery.rate_per_second)
        dispatcher = Dispatcher(
            engine, {p: sender_for(a, limiter) for p, a in adapters.items()}, limiter, config.delivery
        )
        wake = dispatcher.wake

        async def build(requests: list[SlotRequest]) -> None:
            planner = await asyncio.to_thread(make_planner, engine, news.embedder, config)
            report = await asyncio.to_thread(
                build_slots, engine, planner, requests, config.delivery.nothing_new_message
            )
            log.info(
                "built %d digests (%d messages), %d empty",
                len(report.built),
                report.messages,
                len(report.empty),
            )
            wake.set()

        async def poll(source_id: int) -> PollOutcome | None:
            return await asyncio.to_thread(poll_source, engine, config, source_id)

        runtime = Runtime(engine, config, build, poll)
    scheduler = await start_scheduler(runtime)
    try:
        if dispatcher is not None:
            await dispatcher.run(stop)
        else:
            await stop.wait()
    finally:
        stop_scheduler(scheduler)
        if pool is not None:
            await pool.aclose()
