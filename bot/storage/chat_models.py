"""Tables of the chat layer: who gets digests where, who may configure them, what was sent.

Kept apart from `bot.storage.models` (articles and stories) because they change for different reasons;
both share one `Base`, so one Alembic history covers them (revision 0002 creates these).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, utcnow


class ChatRow(Base):
    """A place the bot talks in: a Telegram chat or forum topic, a Slack channel or DM, the console."""

    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "thread_id", name="uq_chat_place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    # Telegram forum topic (message_thread_id); "" for the chat itself.
    thread_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(String(256))
    created: Mapped[datetime] = mapped_column(default=utcnow)


class SubscriptionRow(Base):
    """A chat's subscription and its settings; `active` False after an unsubscribe or a 403."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_ref: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    paused: Mapped[bool] = mapped_column(default=False)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    schedule: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    max_stories: Mapped[int | None]
    summary_chars: Mapped[int | None]
    quotes: Mapped[bool | None]
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    last_sent: Mapped[datetime | None]
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AdminRow(Base):
    """An admin added with `/admins add` in one chat (configured admin ids live in the config)."""

    __tablename__ = "chat_admins"
    __table_args__ = (UniqueConstraint("chat_ref", "user_id", name="uq_chat_admin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_ref: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(default=utcnow)


class MutedStoryRow(Base):
    """A story a chat no longer wants updates of."""

    __tablename__ = "muted_stories"

    chat_ref: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    muted_by: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(default=utcnow)


class SentMessageRow(Base):
    """One posted story message: maps replies and buttons back to the story they are about.

    `sources` keeps the outlets and links as sent, so the Sources button answers from what the chat saw.
    `message_id` is the Telegram message id or the Slack `ts`; it is empty until the platform answered.
    """

    __tablename__ = "sent_messages"
    __table_args__ = (Index("ix_sent_messages_chat_message", "chat_ref", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_ref: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64), default="")
    story_id: Mapped[str] = mapped_column(String(64))
    headline: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class SlackEventRow(Base):
    """Slack event ids already handled: Slack retries deliveries, we answer each event once."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received: Mapped[datetime] = mapped_column(default=utcnow, index=True)
