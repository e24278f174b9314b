"""All chat state lives in the store: chats, subscriptions, admins, mutes, sent messages, Slack events.

`ChatStore` is the only code touching the chat tables (and the `sources` table for /addsource), so
commands and adapters deal in plain values (`Subscription`, `SentStory`) and never in sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.commands.core import ChatKind, ChatRef
from bot.storage.chat_models import (
    AdminRow,
    ChatRow,
    MutedStoryRow,
    SentMessageRow,
    SlackEventRow,
    SubscriptionRow,
)
from bot.storage.models import SourceRow, utcnow
from summarizer.types import StoryDigest

SETTINGS = ("keywords", "schedule", "timezone", "max_stories", "summary_chars", "quotes", "paused")


@dataclass(frozen=True)
class Subscription:
    """A chat's subscription and settings as plain values (None: use the configured default)."""

    chat: ChatRef
    active: bool
    paused: bool
    keywords: tuple[str, ...]
    schedule: tuple[str, ...]
    timezone: str
    max_stories: int | None
    summary_chars: int | None
    quotes: bool | None
    deactivated_reason: str | None


@dataclass(frozen=True)
class SentStory:
    """A story message as the chat saw it: what a button or a reply refers to."""

    id: int
    chat: ChatRef
    story_id: str
    headline: str
    sources: tuple[dict[str, Any], ...]
    created: datetime


def _ref(row: ChatRow) -> ChatRef:
    kind: ChatKind = row.kind if row.kind in ("private", "group", "channel") else "group"  # type: ignore[assignment]
    return ChatRef(platform=row.platform, chat_id=row.chat_id, kind=kind, thread_id=row.thread_id,
                   title=row.title)


def _subscription(chat: ChatRow, sub: SubscriptionRow | None) -> Subscription:
    if sub is None:
        return Subscription(chat=_ref(chat), active=False, paused=False, keywords=(), schedule=(),
                            timezone="UTC", max_stories=None, summary_chars=None, quotes=None,
                            deactivated_reason=None)
    return Subscription(chat=_ref(chat), active=sub.active, paused=sub.paused, keywords=tuple(sub.keywords),
                        schedule=tuple(sub.schedule), timezone=sub.timezone, max_stories=sub.max_stories,
                        summary_chars=sub.summary_chars, quotes=sub.quotes,
                        deactivated_reason=sub.deactivated_reason)


class ChatStore:
    """Reads and writes chat state; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # chats and subscriptions -------------------------------------------------------------------

    def _chat(self, session: Session, ref: ChatRef) -> ChatRow:
        row = session.scalars(select(ChatRow).where(ChatRow.platform == ref.platform,
                                                    ChatRow.chat_id == ref.chat_id,
                                                    ChatRow.thread_id == ref.thread_id)).first()
        if row is None:
            row = ChatRow(platform=ref.platform, chat_id=ref.chat_id, thread_id=ref.thread_id, kind=ref.kind,
                          title=ref.title)
            session.add(row)
            session.flush()
        elif ref.title and row.title != ref.title:
            row.title = ref.title
        return row

    def _sub(self, session: Session, chat: ChatRow, create: bool) -> SubscriptionRow | None:
        sub = session.scalars(select(SubscriptionRow).where(SubscriptionRow.chat_ref == chat.id)).first()
        if sub is None and create:
            sub = SubscriptionRow(chat_ref=chat.id, active=False, paused=False, keywords=[], schedule=[],
                                  timezone="UTC")
            session.add(sub)
            session.flush()
        return sub

    def subscription(self, ref: ChatRef) -> Subscription:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            result = _subscription(chat, self._sub(session, chat, create=False))
            session.commit()
            return result

    def subscribe(self, ref: ChatRef, keywords: list[str] | None) -> Subscription:
        """Start (or restart) a chat's subscription; keywords replace the old ones when given."""
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            sub = self._sub(session, chat, create=True)
            assert sub is not None
            sub.active, sub.deactivated_reason = True, None
            if keywords is not None:
                sub.keywords = keywords
            result = _subscription(chat, sub)
            session.commit()
            return result

    def set_active(self, ref: ChatRef, active: bool, reason: str | None = None) -> bool:
        """Switch a subscription on or off; False when the chat had none to switch."""
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            sub = self._sub(session, chat, create=False)
            changed = sub is not None and sub.active != active
            if sub is not None:
                sub.active, sub.deactivated_reason = active, reason
            session.commit()
            return changed

    def update(self, ref: ChatRef, **settings: Any) -> Subscription:
        """Change settings (see `SETTINGS`); a chat without a subscription keeps them for later."""
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise KeyError(f"unknown settings: {sorted(unknown)}")
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            sub = self._sub(session, chat, create=True)
            for key, value in settings.items():
                setattr(sub, key, value)
            result = _subscription(chat, sub)
            session.commit()
            return result

    def active_subscriptions(self, platform: str | None = None) -> list[Subscription]:
        """Subscriptions that get digests: active and not paused."""
        with Session(self.engine) as session:
            q = (select(ChatRow, SubscriptionRow)
                 .join(SubscriptionRow, SubscriptionRow.chat_ref == ChatRow.id)
                 .where(SubscriptionRow.active, ~SubscriptionRow.paused).order_by(ChatRow.id))
            if platform:
                q = q.where(ChatRow.platform == platform)
            return [_subscription(chat, sub) for chat, sub in session.execute(q).all()]

    def mark_sent(self, ref: ChatRef) -> None:
        with Session(self.engine) as session:
            sub = self._sub(session, self._chat(session, ref), create=False)
            if sub is not None:
                sub.last_sent = utcnow()
            session.commit()

    # admins and mutes ----------------------------------------------------------------------------

    def admins(self, ref: ChatRef) -> list[str]:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            ids = list(session.scalars(select(AdminRow.user_id).where(AdminRow.chat_ref == chat.id)
                                       .order_by(AdminRow.id)))
            session.commit()
            return ids

    def add_admin(self, ref: ChatRef, user_id: str, added_by: str) -> bool:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            exists = session.scalars(select(AdminRow).where(AdminRow.chat_ref == chat.id,
                                                            AdminRow.user_id == user_id)).first()
            if exists is None:
                session.add(AdminRow(chat_ref=chat.id, user_id=user_id, added_by=added_by))
            session.commit()
            return exists is None

    def remove_admin(self, ref: ChatRef, user_id: str) -> bool:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            row = session.scalars(select(AdminRow).where(AdminRow.chat_ref == chat.id,
                                                         AdminRow.user_id == user_id)).first()
            if row is not None:
                session.delete(row)
            session.commit()
            return row is not None

    def mute(self, ref: ChatRef, story_id: str, user_id: str) -> bool:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            if session.get(MutedStoryRow, (chat.id, story_id)) is not None:
                return False
            session.add(MutedStoryRow(chat_ref=chat.id, story_id=story_id, muted_by=user_id))
            session.commit()
            return True

    def muted(self, ref: ChatRef) -> set[str]:
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            ids = set(session.scalars(select(MutedStoryRow.story_id)
                                      .where(MutedStoryRow.chat_ref == chat.id)))
            session.commit()
            return ids

    # sent messages -------------------------------------------------------------------------------

    def record_story(self, ref: ChatRef, digest: StoryDigest) -> int:
        """Remember a story before it is posted, so its buttons can name it; returns the record id."""
        sources = [{"outlet": a.outlet or a.id, "url": a.url} for a in digest.articles]
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            row = SentMessageRow(chat_ref=chat.id, story_id=digest.story_id, headline=digest.headline,
                                 sources=sources)
            session.add(row)
            session.commit()
            return row.id

    def add_message(self, record_id: int, message_id: str) -> None:
        """Attach a posted message id to a story record (a second part gets a row of its own)."""
        with Session(self.engine) as session:
            row = session.get(SentMessageRow, record_id)
            if row is None:
                return
            if not row.message_id:
                row.message_id = message_id
            else:
                session.add(SentMessageRow(chat_ref=row.chat_ref, message_id=message_id,
                                           story_id=row.story_id, headline=row.headline,
                                           sources=list(row.sources)))
            session.commit()

    def link_message(self, ref: ChatRef, message_id: str, story_id: str, headline: str) -> None:
        """Map one more message (an Ask prompt) to a story, so a reply to it is about that story."""
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            session.add(SentMessageRow(chat_ref=chat.id, message_id=message_id, story_id=story_id,
                                       headline=headline, sources=[]))
            session.commit()

    def sent_story(self, record_id: int) -> SentStory | None:
        with Session(self.engine) as session:
            row = session.get(SentMessageRow, record_id)
            if row is None:
                return None
            chat = session.get_one(ChatRow, row.chat_ref)
            return SentStory(id=row.id, chat=_ref(chat), story_id=row.story_id, headline=row.headline,
                             sources=tuple(row.sources), created=row.created)

    def story_of_message(self, ref: ChatRef, message_id: str) -> SentStory | None:
        """The story a message of this chat was about (for replies and threads), if it was one."""
        with Session(self.engine) as session:
            chat = self._chat(session, ref)
            row = session.scalars(select(SentMessageRow).where(SentMessageRow.chat_ref == chat.id,
                                                               SentMessageRow.message_id == message_id)
                                  .order_by(SentMessageRow.id.desc())).first()
            session.commit()
            if row is None:
                return None
            return SentStory(id=row.id, chat=_ref(chat), story_id=row.story_id, headline=row.headline,
                             sources=tuple(row.sources), created=row.created)

    # Slack event de-duplication ------------------------------------------------------------------

    def first_delivery(self, event_id: str, keep: timedelta = timedelta(days=1)) -> bool:
        """True the first time an event id is seen (Slack retries events it thinks were missed)."""
        with Session(self.engine) as session:
            session.execute(delete(SlackEventRow).where(SlackEventRow.received < utcnow() - keep))
            session.add(SlackEventRow(event_id=event_id))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    # sources (the `sources` table of the article store) ------------------------------------------

    def sources(self) -> list[tuple[int, str, str | None]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(SourceRow).where(SourceRow.active).order_by(SourceRow.id))
            return [(r.id, r.location, r.name) for r in rows]

    def add_source(self, location: str, name: str | None) -> tuple[int, bool]:
        """Add (or re-activate) a source; returns its id and whether it was new or inactive."""
        with Session(self.engine) as session:
            row = session.scalars(select(SourceRow).where(SourceRow.location == location)).first()
            added = row is None or not row.active
            if row is None:
                row = SourceRow(kind="url", location=location, name=name, active=True, failures=0)
                session.add(row)
            else:
                row.active = True
                row.name = name or row.name
            session.commit()
            return row.id, added

    def remove_source(self, source_id: int) -> str | None:
        """Deactivate a source (its articles stay); returns its location, None if there is no such one."""
        with Session(self.engine) as session:
            row = session.get(SourceRow, source_id)
            if row is None or not row.active:
                return None
            row.active = False
            session.commit()
            return row.location
