"""The scheduler inside `newsdigest run`: APScheduler 3 `AsyncIOScheduler` on the store's job table.

Jobs have explicit ids (`sync`, `digest:<subscription>`, `poll:<source>`), `coalesce` (a run missed
several times runs once) and a misfire grace time. Job functions are module-level and look up the
running `Runtime`, so the SQLAlchemy job store only ever pickles a reference and an id. `sync` keeps the
jobs in step with the store (schedules set by /schedule, sources added by /addsource) and is the safety
net for digest slots: whatever is due and not built is built, once (the outbox key decides).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.delivery.outbox import SlotRequest
from bot.scheduling.due import due_slots
from bot.scheduling.polling import PollOutcome
from bot.scheduling.slots import parse_times
from bot.storage.chat_models import SubscriptionRow
from bot.storage.models import SourceRow

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the jobs act with: build slots and poll sources (inline, or as queue jobs in scale-out)."""

    engine: Engine
    config: Config
    build: Callable[[list[SlotRequest]], Awaitable[None]]
    poll: Callable[[int], Awaitable[PollOutcome | None]]
    scheduler: AsyncIOScheduler | None = None


RUNTIME: Runtime | None = None


def _runtime() -> Runtime:
    if RUNTIME is None:
        raise RuntimeError("the scheduler runtime is not set up")
    return RUNTIME


async def digest_job(subscription_id: int) -> None:
    rt = _runtime()
    requests = await asyncio.to_thread(due_slots, rt.engine, None, [subscription_id])
    if requests:
        await rt.build(requests)


async def poll_job(source_id: int) -> None:
    rt = _runtime()
    outcome = await rt.poll(source_id)
    if outcome is None or rt.scheduler is None:
        return
    job = rt.scheduler.get_job(f"poll:{source_id}")
    if job is None:
        return
    if outcome.next_due is None:
        job.remove()
    else:  # success: the regular interval; failure: the backoff
        job.modify(next_run_time=outcome.next_due)


async def sync_job() -> None:
    rt = _runtime()
    if rt.scheduler is not None:
        await asyncio.to_thread(sync_jobs, rt.scheduler, rt.engine, rt.config)
    requests = await asyncio.to_thread(due_slots, rt.engine)
    if requests:
        log.info("building %d due digest slots", len(requests))
        await rt.build(requests)


def digest_trigger(times: list[str], tz: str) -> Any:
    zone = ZoneInfo(tz)
    crons = [CronTrigger(hour=t.hour, minute=t.minute, timezone=zone) for t in parse_times(times)]
    return crons[0] if len(crons) == 1 else OrTrigger(crons)


def sync_jobs(scheduler: AsyncIOScheduler, engine: Engine, config: Config) -> None:
    """Make the job table match the store: a digest job per scheduled subscription, a poll job per source."""
    with Session(engine) as session:
        subs = [
            (s.id, list(s.schedule), s.timezone)
            for s in session.scalars(
                select(SubscriptionRow).where(SubscriptionRow.active, ~SubscriptionRow.paused)
            )
            if s.schedule
        ]
        sources = list(session.scalars(select(SourceRow.id).where(SourceRow.active)))
    existing = {job.id: job for job in scheduler.get_jobs()}
    wanted: set[str] = {"sync"}
    for sub_id, times, tz in subs:
        job_id = f"digest:{sub_id}"
        wanted.add(job_id)
        label = f"{tz} {','.join(sorted(times))}"
        job = existing.get(job_id)
        if job is None or job.name != label:
            scheduler.add_job(
                digest_job,
                digest_trigger(times, tz),
                args=[sub_id],
                id=job_id,
                name=label,
                replace_existing=True,
            )
    interval = config.schedule.poll_interval_minutes * 60
    for source_id in sources:
        job_id = f"poll:{source_id}"
        wanted.add(job_id)
        if job_id not in existing:
            scheduler.add_job(
                poll_job,
                IntervalTrigger(seconds=interval, timezone=UTC),
                args=[source_id],
                id=job_id,
                name=job_id,
                replace_existing=True,
                next_run_time=datetime.now(UTC),
            )
    for job_id in set(existing) - wanted:
        scheduler.remove_job(job_id)


def make_scheduler(engine: Engine, config: Config) -> AsyncIOScheduler:
    """The scheduler with the store as its job store (table created by migration 0003)."""
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": config.schedule.misfire_grace_seconds,
            "max_instances": 1,
        },
        timezone=UTC,
    )


async def start_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """Install the runtime, start the scheduler and run one sync now (catch-up after downtime)."""
    global RUNTIME
    scheduler = make_scheduler(runtime.engine, runtime.config)
    runtime.scheduler = scheduler
    RUNTIME = runtime
    scheduler.start()
    scheduler.add_job(
        sync_job,
        IntervalTrigger(seconds=runtime.config.schedule.sync_seconds, timezone=UTC),
        id="sync",
        name="sync",
        replace_existing=True,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    global RUNTIME
    if scheduler.running:
        scheduler.shutdown(wait=False)
    RUNTIME = None
