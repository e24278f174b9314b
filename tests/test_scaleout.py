"""Scale-out: three worker processes over one PostgreSQL store and Redis, one chat API rate limit."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings
from fake_telegram import LimitedTelegram
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session
from test_faults import (
    REDIS_URL,
    delivered,
    open_count,
    prefix,
    prepare,
    start_worker,
    stop,
    wait_until,
    worker_config,
)
from test_outbox import SLOT

from bot.config import WorkersConfig
from bot.delivery.outbox import SlotRequest
from bot.storage.db import open_store
from bot.storage.delivery_models import OutboxMessageRow
from bot.workers.queue import QueueBackend

__all__ = ["prefix"]


def test_three_workers_share_delivery_and_the_rate_limit(
    pg_url: str, embedder: Any, tmp_path: Path, prefix: str
) -> None:
    engine = open_store(pg_url)
    expected = prepare(engine, embedder, 60)
    config = worker_config(tmp_path, pg_url, prefix, rate=40)
    with LimitedTelegram(limit=50) as fake:  # senders aim at 40/s (unshared, 3 workers would send 120/s)
        workers = [start_worker(config, fake) for _ in range(3)]
        try:
            wait_until(lambda: open_count(engine, "sent") == expected, 60, "every message")
        finally:
            for w in workers:
                stop(w)
        got = delivered(fake)
        times = sorted(m["time"] for m in fake.sent)
    assert len(got) == expected and sum(got.values()) == expected  # each message exactly once
    assert not fake.too_many  # three processes together stayed under the one limit
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 50 and expected / (times[-1] - times[0]) > 30  # paced, and near the rate
    with Session(engine) as s:
        senders = s.scalar(select(func.count(distinct(OutboxMessageRow.claimed_by))))
        assert senders == 0  # claims are released once recorded
    assert all(w.returncode is not None for w in workers)


def test_a_slot_is_one_queue_job_however_often_enqueued(prefix: str) -> None:
    async def scenario() -> list[Any]:
        pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
        backend = QueueBackend(pool, WorkersConfig(queue_name=f"{prefix}:queue"), 900)
        try:
            await backend.build([SlotRequest(7, SLOT), SlotRequest(7, SLOT), SlotRequest(8, SLOT)])
            await backend.build([SlotRequest(7, SLOT)])
            return await pool.queued_jobs(queue_name=f"{prefix}:queue")
        finally:
            keys = [k async for k in pool.scan_iter("arq:*")]
            mine = [k for k in keys if b"digest:7:" in k or b"digest:8:" in k or prefix.encode() in k]
            if mine:
                await pool.delete(*mine)
            await pool.aclose()

    jobs = asyncio.run(scenario())
    assert sorted(j.job_id for j in jobs) == ["digest:7:20260301T080000Z", "digest:8:20260301T080000Z"]
