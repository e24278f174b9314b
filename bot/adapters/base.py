"""The one base class every platform adapter implements, and delivery of digests to subscriptions.

An adapter only translates: platform updates in, `Request`s to the command layer, `Reply`s and
digests back out in the platform's format. Delivery is platform-neutral and lives here, so the
scheduler and `newsdigest run --once` drive every platform the same way.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.commands.core import ChatRef, NewsService, Reply
from bot.commands.layer import CommandLayer
from bot.commands.selection import digests_for
from summarizer.types import Answer, StoryDigest

log = logging.getLogger(__name__)


class ChatGone(Exception):
    """The platform says we can no longer post in this chat (blocked, removed, archived)."""


class Adapter(ABC):
    """A chat platform. `start` begins receiving (in the background), `stop` ends it."""

    platform: str = ""

    def __init__(self, layer: CommandLayer) -> None:
        self.layer = layer

    async def connect(self) -> None:
        """Get ready to send only (no receiving): what `run --once` and the scheduler need."""
        return None

    @abstractmethod
    async def start(self) -> None:
        """Connect and begin handling updates; returns once running."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving and release connections."""

    async def wait(self) -> None:
        """Block until the adapter ends by itself (the console at end of input); chat adapters never do."""
        await asyncio.Event().wait()

    @abstractmethod
    async def send_reply(self, chat: ChatRef, reply: Reply) -> None:
        """Post a command's reply (digests included) into a chat."""

    async def send_digests(self, chat: ChatRef, digests: Sequence[StoryDigest]) -> None:
        """Post a digest: one message per story with its buttons. Raises `ChatGone` when blocked."""
        await self.send_reply(chat, Reply(kind="digest", digests=tuple(digests)))


class _Memo:
    """One delivery computes each distinct (limit, keywords) digest once, however many chats share it."""

    def __init__(self, news: NewsService) -> None:
        self.news = news
        self.config = news.config
        self._cache: dict[tuple[int | None, tuple[str, ...]], list[StoryDigest]] = {}

    def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]:
        key = (limit, tuple(keywords))
        if key not in self._cache:
            self._cache[key] = self.news.latest_digests(limit=limit, keywords=keywords)
        return self._cache[key]

    def ask(self, question: str, story_id: str | None = None) -> Answer:
        return self.news.ask(question, story_id)


@dataclass
class DeliveryReport:
    sent: list[ChatRef] = field(default_factory=list)
    empty: list[ChatRef] = field(default_factory=list)
    gone: list[ChatRef] = field(default_factory=list)
    failed: list[ChatRef] = field(default_factory=list)


async def deliver(layer: CommandLayer, adapters: Mapping[str, Adapter]) -> DeliveryReport:
    """Post the latest digest to every active, unpaused subscription on a running platform.

    A chat that blocked or removed the bot has its subscription deactivated (with the reason), so it
    is not retried forever; any other failure is logged and the next chat is served.
    """
    report = DeliveryReport()
    news = _Memo(layer.news)
    subs = await asyncio.to_thread(layer.store.active_subscriptions)
    for sub in subs:
        adapter = adapters.get(sub.chat.platform)
        if adapter is None:
            continue
        digests = await asyncio.to_thread(digests_for, news, layer.store, sub)
        if not digests:
            report.empty.append(sub.chat)
            continue
        try:
            await adapter.send_digests(sub.chat, digests)
        except ChatGone as exc:
            log.warning("deactivating %s:%s: %s", sub.chat.platform, sub.chat.chat_id, exc)
            await asyncio.to_thread(layer.store.set_active, sub.chat, False, f"bot removed or blocked: {exc}")
            report.gone.append(sub.chat)
            continue
        except Exception:
            log.exception("delivery to %s:%s failed", sub.chat.platform, sub.chat.chat_id)
            report.failed.append(sub.chat)
            continue
        await asyncio.to_thread(layer.store.mark_sent, sub.chat)
        report.sent.append(sub.chat)
    return report
