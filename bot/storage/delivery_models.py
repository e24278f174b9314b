"""Tables of scheduling and delivery: the outbox, what each channel has seen, polling and schedule state.

The outbox is the contract that makes delivery exactly-once per slot: a digest row is unique per
idempotency key (subscription, slot), built and stored in one transaction together with its messages
and the channel's seen ids; messages are then claimed, sent and recorded one by one. Revision 0003
creates these tables (and APScheduler's job table, so nothing calls `create_all`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow

# Message states: waiting (behind an earlier message of its digest) -> pending (due at next_attempt)
# -> sending (claimed, lease running) -> sent | failed | gone. A lapsed lease puts it back to pending.
MESSAGE_STATES = ("waiting", "pending", "sending", "sent", "failed", "gone")
FINAL_STATES = ("sent", "failed", "gone")


class OutboxDigestRow(Base):
    """One digest (or admin notice) for one slot; `key` is the idempotency key."""

    __tablename__ = "outbox_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16), default="digest")  # digest | notice
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | empty
    catch_up: Mapped[bool] = mapped_column(default=False)
    stories: Mapped[int] = mapped_column(default=0)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    finished: Mapped[datetime | None]


class OutboxMessageRow(Base):
    """One message of a digest with its delivery state; `record_id` names its `sent_messages` row."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("digest_id", "seq", name="uq_outbox_message_seq"),
        Index("ix_outbox_messages_due", "status", "next_attempt", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("outbox_digests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(default=0)
    chat_ref: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    # the chat's platform, kept here so that a claim is one ordered index scan, no join
    platform: Mapped[str] = mapped_column(String(16), default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("sent_messages.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="story")  # story | text
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    attempts: Mapped[int] = mapped_column(default=0)
    unknown: Mapped[int] = mapped_column(default=0)  # lapsed leases: outcome of a send not known
    next_attempt: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class SeenStoryRow(Base):
    """What a channel has been sent of a story: the base of 'only what is new' and of updates."""

    __tablename__ = "seen_stories"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentence_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    quote_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated: Mapped[datetime] = mapped_column(default=utcnow)


class SourcePollRow(Base):
    """Polling state of a source: its own interval, the next due time, the current backoff."""

    __tablename__ = "source_polls"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    interval_seconds: Mapped[float] = mapped_column(Float, default=900.0)
    next_due: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[str | None] = mapped_column(String(32))  # ok | not_modified | error
    last_poll: Mapped[datetime | None]


class ScheduleStateRow(Base):
    """When a subscription's current schedule began: slots before it are never caught up."""

    __tablename__ = "schedule_states"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerJobRow(Base):
    """APScheduler 3's `SQLAlchemyJobStore` table, declared here so Alembic owns the schema."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
