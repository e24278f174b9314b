"""Posting one outbox message on a platform, with the outcome classified for the dispatcher.

The adapters own formatting; a sender reuses it but posts with a known `sent_messages` record (created
when the digest was stored), turns a platform's "slow down" into `SendRetry`, a refusal to post into
`ChatGone`, a malformed request into `SendFailed`, and lets anything else (timeouts, 5xx) propagate as
a transient error to retry. Telegram's own limiter is told not to retry: the outbox retries, so a 429
never keeps a claimed message in flight.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from telegram.error import BadRequest, RetryAfter

from bot.adapters.base import Adapter, ChatGone
from bot.adapters.telegram import format as fmt
from bot.adapters.telegram.ratelimit import retry_seconds
from bot.commands.core import ChatRef, Reply
from bot.delivery.codec import digest_from_json
from bot.delivery.ratelimit import RateLimiter

log = logging.getLogger(__name__)
RENDER_CACHE = 256  # distinct payloads kept rendered (the stories of the slots being delivered)
_SLACK_GONE = (
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "account_inactive",
    "invalid_auth",
    "channel_is_archived",
)


class _NoRetries(int):
    """`rate_limit_args=0` for PTB: ExtBot drops falsy values, so this zero is truthy."""

    def __bool__(self) -> bool:
        return True


NO_RETRIES = _NoRetries(0)


class SendRetry(Exception):
    """The platform asked us to wait this long before sending again (a 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:.1f} s")
        self.seconds = seconds


class SendFailed(Exception):
    """The platform refused the message itself; sending it again would not help."""


class Sender(Protocol):
    async def post(
        self, chat: ChatRef, kind: str, payload: dict[str, Any], record_id: int | None
    ) -> list[str]:
        """Post one outbox message; returns the platform message ids."""


class TelegramSender:
    """Posts through the Telegram adapter, which owns the HTML, the buttons and what "gone" means; a
    story's messages are rendered once per distinct payload (a fan-out sends one story to many chats)."""

    def __init__(self, adapter: Any, limiter: RateLimiter, timeout: float | None = None) -> None:
        self.timeout = timeout
        self.adapter = adapter
        self.limiter = limiter
        self._rendered: dict[str, list[str]] = {}

    def _parts(self, kind: str, payload: dict[str, Any]) -> list[str]:
        key = json.dumps([kind, payload], sort_keys=True)
        parts = self._rendered.get(key)
        if parts is None:
            if kind == "story":
                parts = fmt.story_messages(digest_from_json(payload))
            else:
                parts = [fmt.esc(str(payload.get("text", "")))]
            if len(self._rendered) >= RENDER_CACHE:
                self._rendered.pop(next(iter(self._rendered)))
            self._rendered[key] = parts
        return parts

    async def post(
        self, chat: ChatRef, kind: str, payload: dict[str, Any], record_id: int | None
    ) -> list[str]:
        parts = self._parts(kind, payload)
        ids: list[str] = []
        for i, part in enumerate(parts):
            if i:
                await self.limiter.acquire()
            last = record_id is not None and i == len(parts) - 1
            try:
                sent = await self.adapter.send_html(
                    chat,
                    part,
                    markup=self.adapter.story_buttons(chat, record_id) if last else None,
                    rate_limit_args=NO_RETRIES,
                    read_timeout=self.timeout,
                    write_timeout=self.timeout,
                    connect_timeout=self.timeout,
                )
            except RetryAfter as exc:
                raise SendRetry(retry_seconds(exc)) from exc
            except BadRequest as exc:  # the adapter turned "this chat is gone" into ChatGone already
                raise SendFailed(exc.message) from exc
            ids.append(str(sent.message_id))
        return ids


class SlackSender:
    def __init__(self, adapter: Any) -> None:
        from bot.adapters.slack import format as fmt

        self.fmt = fmt
        self.adapter = adapter

    async def post(
        self, chat: ChatRef, kind: str, payload: dict[str, Any], record_id: int | None
    ) -> list[str]:
        from slack_sdk.errors import SlackApiError

        if kind == "story":
            digest = digest_from_json(payload)
            layer = self.adapter.layer
            blocks = self.fmt.story_blocks(digest, lambda action: layer.button(chat, action, record_id or 0))
            text = self.fmt.story_fallback(digest)
        else:
            text, blocks = self.fmt.reply_payload(Reply(text=str(payload.get("text", ""))))
        try:
            resp = await self.adapter.client.chat_postMessage(
                channel=chat.chat_id, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if exc.response.status_code == 429 or error == "ratelimited":
                raise SendRetry(float(exc.response.headers.get("Retry-After", 1))) from exc
            if error in _SLACK_GONE:
                raise ChatGone(error) from exc
            raise SendFailed(error) from exc
        return [str(resp.get("ts"))]


class AdapterSender:
    """Any other adapter (the console): its own `send_reply`, no message ids."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    async def post(
        self, chat: ChatRef, kind: str, payload: dict[str, Any], record_id: int | None
    ) -> list[str]:
        if kind == "story":
            await self.adapter.send_reply(chat, Reply(kind="digest", digests=(digest_from_json(payload),)))
        else:
            await self.adapter.send_reply(chat, Reply(text=str(payload.get("text", ""))))
        return []


def sender_for(adapter: Adapter, limiter: RateLimiter) -> Sender:
    if adapter.platform == "telegram":
        return TelegramSender(adapter, limiter)
    if adapter.platform == "slack":
        return SlackSender(adapter)
    return AdapterSender(adapter)
