"""Slots in IANA zones across DST, due slots and catch-up, the APScheduler job table, polling backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from httpserver import serve
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.commands.core import ChatRef
from bot.commands.state import ChatStore
from bot.config import Config
from bot.delivery.outbox import SlotRequest, slot_key
from bot.scheduling.due import due_slots
from bot.scheduling.polling import poll_source
from bot.scheduling.service import make_scheduler, sync_jobs
from bot.scheduling.slots import latest_slot, next_slot, slots_between
from bot.storage.db import open_store
from bot.storage.delivery_models import OutboxDigestRow, OutboxMessageRow, SourcePollRow
from bot.storage.models import SourceRow


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_slots_follow_the_wall_clock_across_dst() -> None:
    # New York springs forward on 2026-03-08: 08:00 local is 13:00 UTC before, 12:00 UTC after.
    slots = list(slots_between(["08:00"], "America/New_York", utc(2026, 3, 6), utc(2026, 3, 10)))
    assert slots == [utc(2026, 3, 6, 13), utc(2026, 3, 7, 13), utc(2026, 3, 8, 12), utc(2026, 3, 9, 12)]
    # 02:30 does not exist that day: it fires once, an hour later on the wall clock (07:30 UTC).
    gap = list(slots_between(["02:30"], "America/New_York", utc(2026, 3, 8), utc(2026, 3, 9)))
    assert gap == [utc(2026, 3, 8, 7, 30)]
    # 01:30 happens twice on 2026-11-01: it fires once, at the first one (05:30 UTC).
    twice = list(slots_between(["01:30"], "America/New_York", utc(2026, 11, 1), utc(2026, 11, 2)))
    assert twice == [utc(2026, 11, 1, 5, 30)]
    # Berlin, two times a day, on the day clocks go back (2026-10-25).
    assert list(
        slots_between(["07:00", "19:00"], "Europe/Berlin", utc(2026, 10, 24, 12), utc(2026, 10, 25, 20))
    ) == [utc(2026, 10, 24, 17), utc(2026, 10, 25, 6), utc(2026, 10, 25, 18)]
    assert latest_slot(["08:00"], "Asia/Tokyo", utc(2026, 1, 1, 0)) == utc(2025, 12, 31, 23)
    assert next_slot(["08:00"], "Asia/Tokyo", utc(2026, 1, 1, 0)) == utc(2026, 1, 1, 23)


def test_missed_slots_make_one_catch_up_digest(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    store = ChatStore(engine)
    chat = ChatRef("telegram", "42")
    store.subscribe(chat, None)
    store.update(chat, schedule=["08:00", "20:00"], timezone="Europe/Paris")
    t0 = utc(2026, 3, 1, 6)
    assert due_slots(engine, t0) == []  # the schedule starts now: nothing from before it
    assert due_slots(engine, t0 + timedelta(minutes=59)) == []  # 08:00 Paris is 07:00 UTC: not yet
    [first] = due_slots(engine, utc(2026, 3, 1, 7, 0, 5))
    assert first.slot == utc(2026, 3, 1, 7) and not first.catch_up
    _store_digest(engine, first)
    assert due_slots(engine, utc(2026, 3, 1, 7, 30)) == []  # built: not due again
    # Down for three days: one request, the latest slot, flagged as a catch-up.
    [late] = due_slots(engine, utc(2026, 3, 4, 12))
    assert late.slot == utc(2026, 3, 4, 7) and late.catch_up
    store.update(chat, paused=True)
    assert due_slots(engine, utc(2026, 3, 4, 12)) == []


def _store_digest(engine: object, request: SlotRequest) -> None:
    with Session(engine) as s:  # type: ignore[arg-type]
        s.add(
            OutboxDigestRow(
                key=slot_key(request.subscription_id, request.slot),
                subscription_id=1,
                slot=request.slot,
                kind="digest",
                status="empty",
                catch_up=False,
                stories=0,
            )
        )
        s.commit()


def test_scheduler_jobs_have_explicit_ids_in_the_store(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    store = ChatStore(engine)
    store.subscribe(ChatRef("telegram", "1"), None)
    store.update(ChatRef("telegram", "1"), schedule=["08:00"], timezone="America/New_York")
    store.add_source("https://example.org/feed.xml", "Example")
    config = Config()

    async def scenario() -> tuple[set[str], datetime | None]:
        scheduler = make_scheduler(engine, config)
        scheduler.start(paused=True)
        sync_jobs(scheduler, engine, config)
        job = scheduler.get_job("digest:1")
        ids = {j.id for j in scheduler.get_jobs()}
        store.update(ChatRef("telegram", "1"), schedule=[])
        sync_jobs(scheduler, engine, config)
        ids_after = {j.id for j in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        assert ids_after == {"poll:1"}
        return ids, job.next_run_time if job else None

    ids, when = asyncio.run(scenario())
    assert ids == {"digest:1", "poll:1"}
    assert when is not None and when.astimezone(UTC).hour in (12, 13) and when.minute == 0
    assert scheduler_defaults_ok(config)


def scheduler_defaults_ok(config: Config) -> bool:
    scheduler = make_scheduler(open_store("sqlite://"), config)
    defaults = scheduler._job_defaults
    return bool(
        defaults["coalesce"] and defaults["misfire_grace_time"] == config.schedule.misfire_grace_seconds
    )


def test_failing_source_backs_off_then_is_deactivated_and_admins_told(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = open_store(sqlite_url)
    config = Config.model_validate(
        {
            "fetch": {"allow_hosts": ["127.0.0.1"], "timeout": 2},
            "telegram": {"admin_ids": ["777"]},
            "schedule": {"poll_interval_minutes": 1, "deactivate_after": 3},
        }
    )
    with serve() as server:
        server.add("/feed.xml", "oops", status=500)
        source_id, _ = ChatStore(engine).add_source(server.url("/feed.xml"), "Broken")
        now = utc(2026, 3, 1, 12)
        first = poll_source(engine, config, source_id, now)
        second = poll_source(engine, config, source_id, now)
        third = poll_source(engine, config, source_id, now)
    assert (first.status, second.status, third.status) == ("error", "error", "deactivated")
    assert first.next_due == now + timedelta(minutes=2) and second.next_due == now + timedelta(minutes=4)
    with Session(engine) as s:
        row = s.get_one(SourceRow, source_id)
        assert not row.active and row.failures == 3 and row.last_error
        assert s.get_one(SourcePollRow, source_id).last_status == "deactivated"
        [notice] = s.scalars(select(OutboxMessageRow)).all()
        assert notice.kind == "text" and "switched off" in notice.payload["text"]
    assert poll_source(engine, config, source_id, now).status == "inactive"
