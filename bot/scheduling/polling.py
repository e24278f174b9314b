"""Polling one source: conditional GET through ingestion, exponential backoff, deactivation with a notice.

A feed's ETag / Last-Modified are kept by ingestion, so an unchanged feed costs a 304. A failed poll
doubles the wait (up to `schedule.max_backoff_minutes`); after `schedule.deactivate_after` failures in a
row the source is switched off and the configured admins are told why, through the outbox (once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.config import Config
from bot.delivery.outbox import enqueue_notice
from bot.ingestion import open_source
from bot.ingestion.pipeline import ingest
from bot.ops import metrics
from bot.storage.delivery_models import SourcePollRow
from bot.storage.models import SourceRow, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollOutcome:
    source_id: int
    status: str  # ok | not_modified | error | deactivated | inactive
    new: int
    next_due: datetime | None
    error: str | None = None


def admin_chats(config: Config) -> list[tuple[str, str]]:
    """Where admin notices go: a private chat with each configured admin (its id is the user id)."""
    return [("telegram", u) for u in config.telegram.admin_ids] + [
        ("slack", u) for u in config.slack.admin_ids
    ]


def backoff(interval: float, failures: int, cap: float) -> float:
    return min(interval * 2**failures, cap) if failures else interval


def poll_source(engine: Engine, config: Config, source_id: int, now: datetime | None = None) -> PollOutcome:
    """Fetch one source now and record the result (see the module doc)."""
    now = now or utcnow()
    with Session(engine) as session:
        row = session.get(SourceRow, source_id)
        if row is None or not row.active:
            return PollOutcome(source_id, "inactive", 0, None)
        location = row.location
    error: str | None = None
    new = 0
    not_modified = False
    try:
        source = open_source(location, config.fetch)
        report = ingest(engine, [source], progress=False)
        new = report.count("new")
        not_modified = bool(getattr(source, "not_modified", False))
        if not report.results and report.skipped and not not_modified:
            error = "; ".join(f"{e.item}: {e.reason}" for e in report.skipped[:3])
    except Exception as exc:  # an unreadable source must not stop the scheduler
        error = f"{type(exc).__name__}: {exc}"[:300]
    interval = config.schedule.poll_interval_minutes * 60
    cap = config.schedule.max_backoff_minutes * 60
    with Session(engine) as session:
        row = session.get_one(SourceRow, source_id)
        poll = session.get(SourcePollRow, source_id)
        if poll is None:
            poll = SourcePollRow(source_id=source_id, interval_seconds=interval, next_due=now)
            session.add(poll)
        status = "not_modified" if not_modified else "ok"
        if error is None:
            row.failures, row.last_error = 0, None
        else:
            row.failures = (row.failures or 0) + 1
            row.last_error = error
            status = "error"
            if row.failures >= config.schedule.deactivate_after:
                row.active = False
                status = "deactivated"
        poll.last_status, poll.last_poll = status, now
        poll.next_due = now + timedelta(seconds=backoff(poll.interval_seconds, row.failures, cap))
        failures, next_due = row.failures, poll.next_due
        session.commit()
    metrics.SOURCE_POLLS.labels(status).inc()
    if error is not None:
        metrics.SOURCE_FETCH_ERRORS.inc()
    if status == "deactivated":
        text = (
            f"Source #{source_id} ({location}) was switched off after {failures} failed polls in a row. "
            f"Last error: {error}. Use /addsource to try it again."
        )
        log.warning("%s", text)
        enqueue_notice(engine, f"source-off:{source_id}:{now:%Y%m%dT%H%M%S}", admin_chats(config), text)
        return PollOutcome(source_id, status, new, None, error)
    return PollOutcome(source_id, status, new, next_due, error)
