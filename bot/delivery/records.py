"""The outbox's side of delivery in the store: claim, release, recover and record messages.

Every method is one short transaction and safe to repeat, so a dropped connection is retried and a
killed process is recovered by leases (see `bot.delivery.dispatch`). Outcomes are recorded in batches
with Core statements (an executemany per kind of update, one statement each to release the next
messages and close finished digests): per message, the store costs a fraction of the HTTP call.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, func, insert, select, tuple_, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.commands.core import ChatKind, ChatRef
from bot.config import DeliveryConfig
from bot.storage.chat_models import ChatRow, SentMessageRow, SubscriptionRow
from bot.storage.delivery_models import FINAL_STATES, OutboxDigestRow, OutboxMessageRow
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
M = OutboxMessageRow
D = OutboxDigestRow


@dataclass(frozen=True)
class Claim:
    id: int
    digest_id: int
    seq: int
    chat: ChatRef
    record_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed message: its new status, and for a retry when and as which attempt."""

    claim: Claim
    status: str
    error: str | None = None
    ids: Sequence[str] | None = None  # the platform's message ids, once sent
    delay: float | None = None  # due again in this many seconds
    attempts: int | None = None  # the attempt count to keep (a 429 is not an attempt)


@dataclass
class DispatchStats:
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0
    gone: int = 0
    recovered: int = 0
    errors: list[str] = field(default_factory=list)


def _sized(engine: Engine, concurrency: int) -> Engine:
    """An engine whose pool fits every sender task: each holds a connection while it claims or records,
    and concurrent commits then share their WAL flushes (PostgreSQL group commit)."""
    if engine.dialect.name != "postgresql" or engine.pool.size() >= concurrency + 2:  # type: ignore[attr-defined]
        return engine
    return create_engine(engine.url, pool_size=concurrency + 2, max_overflow=4, pool_pre_ping=True)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class OutboxRecords:
    """Claims and outcomes of outbox messages for one sender process (`name` marks its claims)."""

    engine: Engine
    config: DeliveryConfig
    name: str
    platforms: list[str]
    stats: DispatchStats

    def claim(self, limit: int = 1) -> list[Claim]:
        """Claim up to `limit` due messages in one statement (skipping rows other claimers hold)."""
        now = utcnow()
        platforms = self.platforms
        due = (
            select(M.id)
            .where(M.status == "pending", M.next_attempt <= now, M.platform.in_(platforms))
            .order_by(M.next_attempt, M.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as conn:
            rows = conn.execute(
                update(M)
                .where(M.id.in_(due.scalar_subquery()))
                .values(
                    status="sending",
                    lease_until=now + timedelta(seconds=self.config.lease_seconds),
                    claimed_by=self.name,
                    attempts=M.attempts + 1,
                )
                .returning(M.id, M.digest_id, M.seq, M.chat_ref, M.record_id, M.kind, M.payload, M.attempts)
            ).all()
            if not rows:
                return []
            chats = {
                c.id: c
                for c in conn.execute(
                    select(
                        ChatRow.id,
                        ChatRow.platform,
                        ChatRow.chat_id,
                        ChatRow.kind,
                        ChatRow.thread_id,
                        ChatRow.title,
                    ).where(ChatRow.id.in_({r.chat_ref for r in rows}))
                )
            }
        out = []
        for row in sorted(rows, key=lambda r: r.id):
            chat = chats[row.chat_ref]
            kind: ChatKind = chat.kind if chat.kind in ("private", "group", "channel") else "group"
            ref = ChatRef(chat.platform, chat.chat_id, kind, chat.thread_id, chat.title)
            out.append(
                Claim(
                    row.id,
                    row.digest_id,
                    row.seq,
                    ref,
                    row.record_id,
                    row.kind,
                    dict(row.payload),
                    row.attempts,
                )
            )
        return out

    def release(self, claims: list[Claim]) -> None:
        """Hand back claims not attempted (on shutdown): due again at once, no attempt counted."""
        if not claims:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(M)
                .where(M.id.in_([c.id for c in claims]), M.status == "sending", M.claimed_by == self.name)
                .values(status="pending", lease_until=None, claimed_by=None, attempts=M.attempts - 1)
            )

    def recover(self) -> int:
        """Messages whose lease lapsed (their process died mid-send): due again, or failed by setting."""
        now = utcnow()
        values: dict[str, Any] = {"unknown": M.unknown + 1, "lease_until": None, "claimed_by": None}
        if self.config.resend_unknown:
            values |= {"status": "pending", "next_attempt": now}
        else:
            values |= {"status": "failed", "last_error": "outcome unknown: the sender stopped mid-send"}
        with self.engine.begin() as conn:
            ids = conn.execute(
                update(M)
                .where(M.status == "sending", M.lease_until < now)
                .values(**values)
                .returning(M.id, M.digest_id, M.seq)
            ).all()
        if ids:
            log.warning("recovered %d messages from lapsed leases (possible duplicates)", len(ids))
            if not self.config.resend_unknown:
                with self.engine.begin() as conn:
                    self._finish(conn, [(digest_id, seq, None) for _, digest_id, seq in ids])
        self.stats.recovered += len(ids)
        return len(ids)

    # recording --------------------------------------------------------------------------------------

    def _spacing(self, chat: ChatRef | None) -> float:
        if chat is not None and chat.kind != "private":
            return self.config.group_interval_seconds
        return self.config.chat_interval_seconds

    def _finish(self, conn: Connection, done: Sequence[tuple[int, int, ChatRef | None]]) -> None:
        """Release the next message of each digest, or close the digests with none left (and note the
        subscription's last digest): a few statements for the whole batch."""
        now = utcnow()
        spaced: dict[float, list[tuple[int, int]]] = defaultdict(list)
        for digest_id, seq, chat in done:
            spaced[self._spacing(chat)].append((digest_id, seq + 1))
        released: set[int] = set()
        for spacing, following in spaced.items():
            released.update(
                conn.scalars(
                    update(M)
                    .where(tuple_(M.digest_id, M.seq).in_(following), M.status == "waiting")
                    .values(status="pending", next_attempt=now + timedelta(seconds=spacing))
                    .returning(M.digest_id)
                )
            )
        last = {digest_id for digest_id, _, _ in done} - released
        if not last:
            return
        still_open = select(M.id).where(M.digest_id == D.id, M.status.not_in(FINAL_STATES)).exists()
        closed = conn.scalars(
            update(D)
            .where(D.id.in_(last), D.status == "pending", ~still_open)
            .values(status="done", finished=now)
            .returning(D.subscription_id)
        ).all()
        subscriptions = [s for s in closed if s is not None]
        if subscriptions:
            conn.execute(
                update(SubscriptionRow).where(SubscriptionRow.id.in_(subscriptions)).values(last_sent=now)
            )

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """Record outcomes in ONE transaction (all or none, so a crash leaves every one of them to its
        lease); idempotent, so a dropped database connection is simply retried."""
        for attempt in range(6):
            try:
                with self.engine.begin() as conn:
                    self._record_in(conn, outcomes)
                return
            except OperationalError:
                if attempt == 5:
                    raise
                time.sleep(0.1 * 2**attempt)

    def _record_in(self, conn: Connection, outcomes: Sequence[Outcome]) -> None:
        now = utcnow()
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for o in outcomes:  # one executemany per shape of update
            values: dict[str, Any] = {"status": o.status, "lease_until": None, "claimed_by": None}
            values["last_error"] = o.error
            if o.ids is not None:
                values |= {"message_ids": list(o.ids), "sent_at": now}
            if o.delay is not None:
                values["next_attempt"] = now + timedelta(seconds=o.delay)
            if o.attempts is not None:
                values["attempts"] = o.attempts
            shapes[tuple(values)].append({"key": o.claim.id, **values})
        for rows in shapes.values():
            conn.execute(update(M).where(M.id == bindparam("key")), rows)
        firsts = [
            {"key": o.claim.record_id, "message_id": o.ids[0]}
            for o in outcomes
            if o.ids and o.claim.record_id is not None
        ]
        if firsts:
            conn.execute(update(SentMessageRow).where(SentMessageRow.id == bindparam("key")), firsts)
        for o in outcomes:
            if o.ids and len(o.ids) > 1 and o.claim.record_id is not None:
                self._more_parts(conn, o.claim.record_id, o.ids[1:])
            if o.status == "gone":
                self._gone(conn, o)
        self._finish(
            conn,
            [(o.claim.digest_id, o.claim.seq, o.claim.chat) for o in outcomes if o.status in FINAL_STATES],
        )

    @staticmethod
    def _more_parts(conn: Connection, record_id: int, ids: Sequence[str]) -> None:
        """A story sent as several messages: each further message points at the same story."""
        record = conn.execute(
            select(
                SentMessageRow.chat_ref,
                SentMessageRow.story_id,
                SentMessageRow.headline,
                SentMessageRow.sources,
            ).where(SentMessageRow.id == record_id)
        ).first()
        if record is not None:
            conn.execute(
                insert(SentMessageRow),
                [{**record._asdict(), "sources": list(record.sources), "message_id": extra} for extra in ids],
            )

    @staticmethod
    def _gone(conn: Connection, o: Outcome) -> None:
        """The chat refused the bot: the rest of the digest is not sent and the subscription stops."""
        conn.execute(
            update(M)
            .where(M.digest_id == o.claim.digest_id, M.status.in_(("waiting", "pending")))
            .values(status="gone", last_error=o.error)
        )
        conn.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.chat_ref == select(M.chat_ref).where(M.id == o.claim.id).scalar_subquery())
            .values(active=False, deactivated_reason=f"bot removed or blocked: {o.error}")
        )

    def open_messages(self) -> int:
        """Messages not yet final on this sender's platforms."""
        with Session(self.engine) as s:
            open_ = select(func.count()).select_from(M).where(M.status.not_in(FINAL_STATES))
            return int(s.scalar(open_.where(M.platform.in_(self.platforms))) or 0)


def delivery_counts(engine: Engine) -> dict[str, int]:
    """Messages per state (for tests, the benchmark and `/status`-like reports)."""
    with Session(engine) as s:
        return dict(s.execute(select(M.status, func.count()).group_by(M.status)).all())
