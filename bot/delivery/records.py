"""The outbox's side of delivery in the store: claim, release, recover and record messages.

Every method is one short transaction and safe to repeat, so a dropped connection is retried and a
killed process is recovered by leases (see `bot.delivery.dispatch`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.commands.core import ChatKind, ChatRef
from bot.config import DeliveryConfig
from bot.storage.chat_models import ChatRow, SentMessageRow, SubscriptionRow
from bot.storage.delivery_models import FINAL_STATES, OutboxDigestRow, OutboxMessageRow
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
M = OutboxMessageRow


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
                for _, digest_id, seq in ids:
                    self._finish(digest_id, seq, None)
        self.stats.recovered += len(ids)
        return len(ids)

    # recording --------------------------------------------------------------------------------------

    def _spacing(self, chat: ChatRef | None) -> float:
        if chat is not None and chat.kind != "private":
            return self.config.group_interval_seconds
        return self.config.chat_interval_seconds

    def _finish(self, digest_id: int, seq: int, chat: ChatRef | None, session: Session | None = None) -> None:
        """Release the next message of the digest, or close the digest when none is left."""
        own = session is None
        s = session or Session(self.engine)
        try:
            now = utcnow()
            released = s.execute(
                update(M)
                .where(M.digest_id == digest_id, M.seq == seq + 1, M.status == "waiting")
                .values(status="pending", next_attempt=now + timedelta(seconds=self._spacing(chat)))
            ).rowcount  # type: ignore[attr-defined]
            if not released:  # the last message: close the digest unless something is still open
                still_open = (
                    select(M.id).where(M.digest_id == digest_id, M.status.not_in(FINAL_STATES)).exists()
                )
                closed = s.execute(
                    update(OutboxDigestRow)
                    .where(OutboxDigestRow.id == digest_id, OutboxDigestRow.status == "pending", ~still_open)
                    .values(status="done", finished=now)
                    .returning(OutboxDigestRow.subscription_id)
                ).first()
                if closed is not None and closed.subscription_id is not None:
                    s.execute(
                        update(SubscriptionRow)
                        .where(SubscriptionRow.id == closed.subscription_id)
                        .values(last_sent=now)
                    )
            if own:
                s.commit()
        finally:
            if own:
                s.close()

    def _record(
        self,
        claim: Claim,
        status: str,
        error: str | None = None,
        ids: list[str] | None = None,
        delay: float | None = None,
        attempts: int | None = None,
    ) -> None:
        """Record an outcome; idempotent, so a dropped database connection is simply retried."""
        for attempt in range(6):
            try:
                self._record_once(claim, status, error, ids, delay, attempts)
                return
            except OperationalError:
                if attempt == 5:
                    raise
                time.sleep(0.1 * 2**attempt)

    def _record_once(
        self,
        claim: Claim,
        status: str,
        error: str | None,
        ids: list[str] | None,
        delay: float | None,
        attempts: int | None,
    ) -> None:
        now = utcnow()
        with Session(self.engine) as s:
            values: dict[str, Any] = {
                "status": status,
                "lease_until": None,
                "claimed_by": None,
                "last_error": error,
            }
            if ids is not None:
                values |= {"message_ids": ids, "sent_at": now}
            if delay is not None:
                values["next_attempt"] = now + timedelta(seconds=delay)
            if attempts is not None:
                values["attempts"] = attempts
            s.execute(update(M).where(M.id == claim.id).values(**values))
            if ids and claim.record_id is not None:
                s.execute(
                    update(SentMessageRow)
                    .where(SentMessageRow.id == claim.record_id)
                    .values(message_id=ids[0])
                )
                record = s.get(SentMessageRow, claim.record_id) if len(ids) > 1 else None
                for extra in ids[1:]:
                    if record is not None:
                        s.add(
                            SentMessageRow(
                                chat_ref=record.chat_ref,
                                message_id=extra,
                                story_id=record.story_id,
                                headline=record.headline,
                                sources=list(record.sources),
                            )
                        )
            if status == "gone":
                s.execute(
                    update(M)
                    .where(M.digest_id == claim.digest_id, M.status.in_(("waiting", "pending")))
                    .values(status="gone", last_error=error)
                )
                s.execute(
                    update(SubscriptionRow)
                    .where(SubscriptionRow.chat_ref == s.scalar(select(M.chat_ref).where(M.id == claim.id)))
                    .values(active=False, deactivated_reason=f"bot removed or blocked: {error}")
                )
            if status in FINAL_STATES:
                s.flush()
                self._finish(claim.digest_id, claim.seq, claim.chat, s)
            s.commit()

    def open_messages(self) -> int:
        with Session(self.engine) as s:
            return int(
                s.scalar(select(func.count()).select_from(M).where(M.status.not_in(FINAL_STATES))) or 0
            )


def delivery_counts(engine: Engine) -> dict[str, int]:
    """Messages per state (for tests, the benchmark and `/status`-like reports)."""
    with Session(engine) as s:
        return dict(s.execute(select(M.status, func.count()).group_by(M.status)).all())
