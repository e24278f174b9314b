"""Telegram through python-telegram-bot 22: long polling by default, a secret-checked webhook if asked.

Translation only: a message or button press becomes a `Request` for the command layer, a `Reply`
becomes HTML messages (`format.py`). Stories go out one message each with Sources / Ask / Mute
buttons; replies to a story message are follow-up questions about that story.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.base import Adapter, ChatGone
from bot.adapters.telegram import format as fmt
from bot.adapters.telegram.ratelimit import FloodLimiter
from bot.adapters.telegram.request import AiohttpRequest
from bot.commands.core import ChatKind, ChatRef, Reply, Request
from bot.commands.layer import CommandLayer
from bot.commands.parsing import split_command
from summarizer.types import StoryDigest

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_GONE = ("chat not found", "bot was kicked", "bot is not a member", "have no rights to send")
# HTTP connections kept to the Bot API: enough for the requests really in flight (rate x latency).
POOL_SIZE = 16


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: Telegram posts updates to `url`; we listen on host:port at `path`."""

    url: str
    secret: str
    host: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"


def webhook_secret(token: str) -> str:
    """A stable secret-token when none is configured (Telegram allows A-Z a-z 0-9 _ -)."""
    return hashlib.sha256(b"newsdigest-webhook|" + token.encode()).hexdigest()


def chat_of(message: Message) -> ChatRef:
    c = message.chat
    kind: ChatKind = "private" if c.type == "private" else "channel" if c.type == "channel" else "group"
    thread = str(message.message_thread_id) if message.is_topic_message and message.message_thread_id else ""
    return ChatRef("telegram", str(c.id), kind, thread, c.title or c.username)


class TelegramAdapter(Adapter):
    platform = "telegram"

    def __init__(self, layer: CommandLayer, token: str, base_url: str = "https://api.telegram.org",
                 limiter: BaseRateLimiter[Any] | None = None, webhook: Webhook | None = None,
                 poll_interval: float = 0.0, poll_timeout: int = 30,
                 admin_cache_seconds: float = 300.0) -> None:
        super().__init__(layer)
        base = base_url.rstrip("/")
        builder = (Application.builder().token(token).base_url(f"{base}/bot")
                   .base_file_url(f"{base}/file/bot").rate_limiter(limiter or FloodLimiter())
                   .request(AiohttpRequest(POOL_SIZE))
                   .concurrent_updates(8))
        if webhook is not None:
            builder = builder.updater(None)
        self.app = builder.build()
        self.webhook = webhook
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        self.admin_cache_seconds = admin_cache_seconds
        self._admins: dict[str, tuple[float, set[str]]] = {}
        self._runner: web.AppRunner | None = None
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_handler(MessageHandler(filters.COMMAND, self._on_command))
        self.app.add_handler(MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, self._on_reply))
        self.app.add_error_handler(self._on_error)

    # lifecycle -----------------------------------------------------------------------------------

    async def connect(self) -> None:
        await self.app.initialize()

    async def start(self) -> None:
        await self.connect()
        try:
            await self.app.bot.set_my_commands(
                [BotCommand(c.name, c.help[:256]) for c in self.layer.public_commands()])
        except Exception:  # a cosmetic call; the bot works without the menu
            log.warning("could not set the Telegram command menu", exc_info=True)
        await self.app.start()
        if self.webhook is None:
            assert self.app.updater is not None
            await self.app.updater.start_polling(poll_interval=self.poll_interval, timeout=self.poll_timeout,
                                                 allowed_updates=["message", "callback_query"])
            return
        server = web.Application()
        server.router.add_post(self.webhook.path, self._on_webhook)
        self._runner = web.AppRunner(server)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.webhook.host, self.webhook.port).start()
        await self.app.bot.set_webhook(self.webhook.url, secret_token=self.webhook.secret,
                                       allowed_updates=["message", "callback_query"])

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def _on_webhook(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.webhook.secret.encode()):
            log.warning("webhook request with a wrong or missing secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except Exception:
            return web.Response(status=400, text="bad update")
        await self.app.update_queue.put(update)
        return web.Response(text="ok")

    # incoming ------------------------------------------------------------------------------------

    async def _admin_check(self, chat: ChatRef, user_id: str) -> bool:
        """Group administrators from the Bot API, cached for a few minutes per chat."""
        if chat.kind == "private":
            return False
        cached = self._admins.get(chat.chat_id)
        if cached is None or time.monotonic() - cached[0] > self.admin_cache_seconds:
            members = await self.app.bot.get_chat_administrators(chat.chat_id)
            cached = (time.monotonic(), {str(m.user.id) for m in members})
            self._admins[chat.chat_id] = cached
        return user_id in cached[1]

    async def _story_of(self, chat: ChatRef, message: Message | None) -> str | None:
        if message is None or message.from_user is None or message.from_user.id != self.app.bot.id:
            return None
        story = await asyncio.to_thread(self.layer.store.story_of_message, chat, str(message.message_id))
        return story.story_id if story else None

    async def _on_command(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        if msg is None or msg.text is None or msg.from_user is None:
            return
        parsed = split_command(msg.text, self.app.bot.username)
        if parsed is None:
            return
        chat = chat_of(msg)
        story = await self._story_of(chat, msg.reply_to_message)
        request = Request(chat=chat, user_id=str(msg.from_user.id), command=parsed[0], args=parsed[1],
                          user_name=msg.from_user.username, story_id=story)
        reply = await self.layer.handle(request, self._admin_check)
        await self.send_reply(chat, reply, reply_to=msg.message_id)

    async def _on_reply(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A text reply to one of our story messages is a follow-up question about that story."""
        msg = update.effective_message
        if msg is None or msg.text is None or msg.from_user is None:
            return
        chat = chat_of(msg)
        story = await self._story_of(chat, msg.reply_to_message)
        if story is None:
            return
        request = Request(chat=chat, user_id=str(msg.from_user.id), command="ask", args=msg.text,
                          user_name=msg.from_user.username, story_id=story)
        reply = await self.layer.handle(request, self._admin_check)
        await self.send_reply(chat, reply, reply_to=msg.message_id)

    async def _on_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query: CallbackQuery | None = update.callback_query
        if query is None:
            return
        message = query.message
        if not isinstance(message, Message) or not query.data:
            await query.answer("This button is no longer valid.")
            return
        chat = chat_of(message)
        reply = await self.layer.press(chat, str(query.from_user.id), query.data, self._admin_check,
                                       query.from_user.username)
        if reply.kind == "error" or (reply.kind == "text" and not reply.links):
            await query.answer(reply.text[:200])  # a short toast, nothing posted in the chat
            return
        await query.answer()
        await self.send_reply(chat, reply, reply_to=message.message_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed: %s", context.error, exc_info=context.error)

    # outgoing ------------------------------------------------------------------------------------

    async def send_html(self, chat: ChatRef, text: str, reply_to: int | None = None,
                        markup: Any = None, **options: Any) -> Message:
        """Post one HTML message; a chat that refuses the bot raises `ChatGone`. `options` go to
        `send_message` (the outbox passes timeouts and turns PTB's own retries off)."""
        try:
            return await self.app.bot.send_message(
                chat_id=chat.chat_id, text=text, parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                message_thread_id=int(chat.thread_id) if chat.thread_id else None,
                reply_to_message_id=reply_to, allow_sending_without_reply=True if reply_to else None,
                reply_markup=markup, **options)
        except Forbidden as exc:
            raise ChatGone(exc.message) from exc
        except BadRequest as exc:
            if any(s in exc.message.lower() for s in _GONE):
                raise ChatGone(exc.message) from exc
            raise

    def story_buttons(self, chat: ChatRef, record_id: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[
            InlineKeyboardButton(label, callback_data=self.layer.button(chat, action, record_id))
            for label, action in (("Sources", "sources"), ("Ask", "ask"), ("Mute story", "mute"))]])

    async def _send_story(self, chat: ChatRef, digest: StoryDigest) -> None:
        record_id = await asyncio.to_thread(self.layer.store.record_story, chat, digest)
        parts = fmt.story_messages(digest)
        for i, part in enumerate(parts):
            markup = self.story_buttons(chat, record_id) if i == len(parts) - 1 else None
            sent = await self.send_html(chat, part, markup=markup)
            await asyncio.to_thread(self.layer.store.add_message, record_id, str(sent.message_id))

    async def send_reply(self, chat: ChatRef, reply: Reply, reply_to: int | None = None) -> None:
        if reply.digests:
            for digest in reply.digests:
                await self._send_story(chat, digest)
            return
        if reply.kind == "prompt" and reply.prompt_story:
            force = ForceReply(selective=True, input_field_placeholder="Your question")
            sent = await self.send_html(chat, fmt.esc(reply.text), reply_to=reply_to, markup=force)
            await asyncio.to_thread(self.layer.store.link_message, chat, str(sent.message_id),
                                    reply.prompt_story, reply.headline or "")
            return
        for i, part in enumerate(fmt.reply_messages(reply)):
            await self.send_html(chat, part, reply_to=reply_to if i == 0 else None)
