"""Slack through slack-bolt: HTTP mode (signed requests, 5-minute replay window) or Socket Mode.

Bolt verifies every HTTP request's signature and timestamp before any listener runs (401 otherwise).
Slash commands and button presses are acknowledged at once and answered by a lazy listener, so the
3-second deadline holds however long a digest takes. Events Slack retries are answered once, by
`event_id`. Rate-limited Web API calls wait for `Retry-After` (slack_sdk's retry handler).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import Adapter, ChatGone
from bot.adapters.slack import format as fmt
from bot.commands.core import ChatKind, ChatRef, Reply, Request
from bot.commands.layer import CommandLayer
from summarizer.types import StoryDigest

log = logging.getLogger(__name__)
UMBRELLA = "newsdigest"
_GONE = {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "account_inactive",
         "access_denied"}
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def chat_for(channel: str, title: str | None = None) -> ChatRef:
    kind: ChatKind = "private" if channel.startswith("D") else "group"
    return ChatRef("slack", channel, kind, "", title)


class SlackAdapter(Adapter):
    platform = "slack"

    def __init__(self, layer: CommandLayer, bot_token: str, signing_secret: str | None = None,
                 app_token: str | None = None, api_url: str = "https://slack.com/api/",
                 host: str = "0.0.0.0", port: int = 3000, path: str = "/slack/events",
                 rate_limit_retries: int = 3, admin_cache_seconds: float = 300.0) -> None:
        super().__init__(layer)
        if not signing_secret and not app_token:
            raise ValueError("Slack needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
        self.client = AsyncWebClient(token=bot_token, base_url=api_url, retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)])
        self.socket_mode = bool(app_token) and not signing_secret
        self.app = AsyncApp(client=self.client, signing_secret=signing_secret or "unused-in-socket-mode",
                            request_verification_enabled=not self.socket_mode, process_before_response=False)
        self.app_token, self.host, self.port, self.path = app_token, host, port, path
        self.admin_cache_seconds = admin_cache_seconds
        self._admins: dict[str, tuple[float, bool]] = {}
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self.bot_user_id: str | None = None
        self.app.middleware(self._dedup)
        self.app.command(re.compile(r"^/[\w-]+$"))(ack=self._ack, lazy=[self._on_slash])
        self.app.action(re.compile(r"^nd_(sources|ask|mute)$"))(ack=self._ack, lazy=[self._on_action])
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.error(self._on_error)

    # lifecycle -----------------------------------------------------------------------------------

    async def connect(self) -> None:
        auth = await self.client.auth_test()
        self.bot_user_id = auth.get("user_id")

    async def start(self) -> None:
        await self.connect()
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.app_token)
            await self._socket.connect_async()
            return
        self._runner = web.AppRunner(self.app.web_app(path=self.path, port=self.port))
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # incoming ------------------------------------------------------------------------------------

    async def _dedup(self, body: dict[str, Any], next: Any) -> BoltResponse | None:
        """Slack re-sends events it thinks we missed; each `event_id` is answered once."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not await asyncio.to_thread(self.layer.store.first_delivery, str(event_id)):
            log.info("ignoring retried Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    async def _ack(self, ack: Any) -> None:
        await ack()

    async def _on_error(self, error: Exception) -> None:
        log.error("Slack listener failed: %s", error, exc_info=error)

    async def _admin_check(self, chat: ChatRef, user_id: str) -> bool:
        """Workspace admins and owners (users.info), cached for a few minutes."""
        if chat.kind == "private":
            return False
        cached = self._admins.get(user_id)
        if cached is None or time.monotonic() - cached[0] > self.admin_cache_seconds:
            info = await self.client.users_info(user=user_id)
            user = info.get("user") or {}
            cached = (time.monotonic(), bool(user.get("is_admin") or user.get("is_owner")
                                             or user.get("is_primary_owner")))
            self._admins[user_id] = cached
        return cached[1]

    async def _story(self, chat: ChatRef, thread_ts: str | None) -> str | None:
        if not thread_ts:
            return None
        story = await asyncio.to_thread(self.layer.store.story_of_message, chat, thread_ts)
        return story.story_id if story else None

    async def _on_slash(self, body: dict[str, Any]) -> None:
        name = str(body.get("command", "")).lstrip("/").lower()
        text = str(body.get("text") or "").strip()
        if name == UMBRELLA:
            name, _, text = text.partition(" ")
            name = name.lstrip("/").lower() or "help"
        chat = chat_for(str(body.get("channel_id")), body.get("channel_name"))
        user = str(body.get("user_id"))
        request = Request(chat=chat, user_id=user, command=name, args=text.strip(),
                          user_name=body.get("user_name"))
        reply = await self.layer.handle(request, self._admin_check)
        await self.send_reply(chat, reply, user=user)

    async def _on_action(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        chat = chat_for(str((body.get("channel") or {}).get("id")))
        user = str((body.get("user") or {}).get("id"))
        message_ts = (body.get("message") or {}).get("ts")
        reply = await self.layer.press(chat, user, str(action.get("value") or ""), self._admin_check)
        if reply.kind == "error" or (reply.kind == "text" and not reply.links):
            await self._ephemeral(chat, user, reply.text)
            return
        if reply.kind == "prompt":
            reply = Reply(text=f"Reply in this thread with your question about “{reply.headline}”.")
        await self.send_reply(chat, reply, thread_ts=message_ts, user=user)

    async def _question_or_command(self, event: dict[str, Any], text: str) -> None:
        chat = chat_for(str(event.get("channel")))
        thread_ts = event.get("thread_ts") or event.get("ts")
        words = text.split(maxsplit=1)
        first = words[0].lstrip("/").lower() if words else "help"
        if self.layer.find(first) and not self.layer.find(first).hidden:  # type: ignore[union-attr]
            request = Request(chat=chat, user_id=str(event.get("user")), command=first,
                              args=words[1] if len(words) > 1 else "")
        else:
            request = Request(chat=chat, user_id=str(event.get("user")), command="ask", args=text,
                              story_id=await self._story(chat, event.get("thread_ts")))
        reply = await self.layer.handle(request, self._admin_check)
        await self.send_reply(chat, reply, thread_ts=thread_ts, user=str(event.get("user")))

    async def _on_mention(self, event: dict[str, Any]) -> None:
        await self._question_or_command(event, _MENTION.sub("", str(event.get("text") or "")).strip())

    async def _on_message(self, event: dict[str, Any]) -> None:
        """Thread replies to a story message (and DMs) are questions; mentions are handled above."""
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        text = str(event.get("text") or "")
        if self.bot_user_id and f"<@{self.bot_user_id}" in text:
            return
        chat = chat_for(str(event.get("channel")))
        direct = event.get("channel_type") == "im" and not event.get("thread_ts")
        if direct or await self._story(chat, event.get("thread_ts")):
            await self._question_or_command(event, text.strip())

    # outgoing ------------------------------------------------------------------------------------

    async def _post(self, chat: ChatRef, text: str, blocks: list[dict[str, Any]],
                    thread_ts: str | None = None) -> str:
        try:
            resp = await self.client.chat_postMessage(channel=chat.chat_id, text=text, blocks=blocks,
                                                      thread_ts=thread_ts, unfurl_links=False,
                                                      unfurl_media=False)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in _GONE:
                raise ChatGone(error) from exc
            raise
        return str(resp.get("ts"))

    async def _ephemeral(self, chat: ChatRef, user: str, text: str) -> None:
        try:
            await self.client.chat_postEphemeral(channel=chat.chat_id, user=user, text=fmt.esc(text))
        except SlackApiError:
            log.warning("could not post an ephemeral message in %s", chat.chat_id, exc_info=True)

    async def _send_story(self, chat: ChatRef, digest: StoryDigest) -> None:
        record_id = await asyncio.to_thread(self.layer.store.record_story, chat, digest)
        blocks = fmt.story_blocks(digest, lambda action: self.layer.button(chat, action, record_id))
        ts = await self._post(chat, fmt.story_fallback(digest), blocks)
        await asyncio.to_thread(self.layer.store.add_message, record_id, ts)

    async def send_reply(self, chat: ChatRef, reply: Reply, thread_ts: str | None = None,
                         user: str | None = None) -> None:
        if reply.digests:
            for digest in reply.digests:
                await self._send_story(chat, digest)
            return
        if reply.kind == "error" and user:
            await self._ephemeral(chat, user, reply.text)
            return
        text, blocks = fmt.reply_payload(reply)
        for i in range(0, len(blocks), 40):
            await self._post(chat, text, blocks[i:i + 40], thread_ts=thread_ts)
