"""A worker process: arq jobs (build a slot's digests, poll a source) plus an outbox dispatcher.

Every worker runs the same dispatcher as the single process, but with the send rate and the 429 pause
kept in Redis, so N workers together never exceed one platform's limit; messages are claimed with
`FOR UPDATE SKIP LOCKED`, so no two workers send the same one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from arq.worker import Worker, func
from redis.asyncio import Redis

from bot.config import Config
from bot.delivery.dispatch import Dispatcher
from bot.delivery.outbox import SlotRequest, build_slots
from bot.delivery.ratelimit import RedisRateLimiter
from bot.delivery.senders import sender_for
from bot.scheduling.polling import poll_source
from bot.storage.db import create_store_engine
from bot.workers.queue import redis_settings

log = logging.getLogger(__name__)
PLANNER_SECONDS = 60.0  # a planner (recent stories) is reused this long by one worker


def _planner(ctx: dict[str, Any]) -> Any:
    from bot.delivery.stories import make_planner

    cached = ctx.get("planner")
    if cached is None or time.monotonic() - cached[0] > PLANNER_SECONDS:
        news = ctx["news"]()
        cached = (time.monotonic(), make_planner(ctx["engine"], news.embedder, ctx["config"]))
        ctx["planner"] = cached
    return cached[1]


async def build_slot(ctx: dict[str, Any], subscription_id: int, slot: str, catch_up: bool = False) -> int:
    request = SlotRequest(subscription_id, datetime.fromisoformat(slot), catch_up)
    planner = await asyncio.to_thread(_planner, ctx)
    report = await asyncio.to_thread(
        build_slots, ctx["engine"], planner, [request], ctx["config"].delivery.nothing_new_message
    )
    ctx["dispatcher"].wake.set()
    return report.messages


async def poll_source_job(ctx: dict[str, Any], source_id: int) -> str:
    outcome = await asyncio.to_thread(poll_source, ctx["engine"], ctx["config"], source_id)
    ctx.pop("planner", None)
    return outcome.status


async def _startup(ctx: dict[str, Any]) -> None:
    from bot.adapters.runner import chat_adapters, make_layer
    from bot.commands.state import ChatStore

    config: Config = ctx["config"]
    engine = create_store_engine(config.store.url)
    ctx["engine"] = engine

    def news() -> Any:
        from bot.service import Newsroom

        return Newsroom(config, engine)

    ctx["news"] = news
    layer = make_layer(_LazyNews(config, news), ChatStore(engine))
    adapters = chat_adapters(layer, config)
    for adapter in adapters.values():
        await adapter.connect()
    redis = Redis.from_url(config.workers.redis_url)
    limiter = RedisRateLimiter(redis, config.delivery.rate_per_second, config.workers.key_prefix)
    dispatcher = Dispatcher(
        engine, {p: sender_for(a, limiter) for p, a in adapters.items()}, limiter, config.delivery
    )
    stop = asyncio.Event()
    ctx.update(
        adapters=adapters,
        redis_client=redis,
        dispatcher=dispatcher,
        stop=stop,
        dispatch_task=asyncio.create_task(dispatcher.run(stop)),
    )
    if config.ops.enabled:
        from bot.ops.server import worker_server

        ops = worker_server(engine, config, lambda: ctx.get("dispatch_task"))
        ctx["ops_task"] = asyncio.create_task(ops.serve(stop))
    log.warning("worker %s up: platforms %s", dispatcher.name, sorted(adapters))


async def _shutdown(ctx: dict[str, Any]) -> None:
    if "stop" not in ctx:  # start-up failed half way
        return
    ctx["stop"].set()
    await asyncio.gather(*(ctx[k] for k in ("dispatch_task", "ops_task") if k in ctx), return_exceptions=True)
    for adapter in ctx["adapters"].values():
        await adapter.stop()
    await ctx["redis_client"].aclose()
    ctx["engine"].dispose()


class _LazyNews:
    """The command layer of a worker only signs buttons; the news façade loads on first use."""

    def __init__(self, config: Config, factory: Any) -> None:
        self.config = config
        self._factory = factory
        self._news: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._news is None:
            self._news = self._factory()
        return getattr(self._news, name)


def make_worker(config: Config, burst: bool = False) -> Worker:
    return Worker(
        functions=[func(build_slot, name="build_slot"), func(poll_source_job, name="poll_source")],
        queue_name=config.workers.queue_name,
        redis_settings=redis_settings(config.workers),
        on_startup=_startup,
        on_shutdown=_shutdown,
        ctx={"config": config},
        max_jobs=config.workers.max_jobs,
        burst=burst,
        job_timeout=600,
        keep_result=3600,
        handle_signals=True,
    )


def run_worker(config: Config, burst: bool = False) -> None:
    """Run one worker until SIGINT/SIGTERM."""

    async def main() -> None:  # arq binds the worker to the loop current at construction
        worker = make_worker(config, burst)
        try:
            await worker.async_run()
        except asyncio.CancelledError:  # SIGTERM / SIGINT: arq cancels its main task to stop
            pass
        finally:
            await worker.close()

    asyncio.run(main())
