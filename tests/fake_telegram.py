"""A fake Telegram Bot API on 127.0.0.1, enough for python-telegram-bot to poll, send and be refused.

It checks what the real server checks for us: HTML parse mode must be well formed (only Telegram's
tags, balanced), the parsed text must fit 4,096 UTF-16 units; it can inject 429 and 403 answers.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from httpserver import ThreadedFake

BOT = {"id": 999, "is_bot": True, "first_name": "News", "username": "news_bot"}
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
}
RAW_KEYS = {"text", "url", "secret_token", "callback_query_id", "data", "input_field_placeholder"}


class HTMLCheck(HTMLParser):
    """Parses Telegram HTML like the Bot API: unknown or unbalanced tags are errors; collects text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", ""))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Can\'t find end tag corresponding to start tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(markup: str) -> tuple[str | None, str]:
    p = HTMLCheck()
    p.feed(markup)
    p.close()
    if p.stack and not p.error:
        p.error = f'Can\'t find end tag corresponding to start tag "{p.stack[-1]}"'
    return p.error, "".join(p.text)


class FakeTelegram(ThreadedFake):
    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.lock = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self.next_update = 1
        self.next_message = 100
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.blocked: set[str] = set()
        self.admins: dict[str, list[int]] = {}
        self.chat_types: dict[str, str] = {}
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


    # building updates ------------------------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        self.chat_types[str(chat_id)] = chat_type
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "Group"
            chat["is_forum"] = chat_type == "supergroup"
        return chat

    def push_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "private",
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        with self.lock:
            self.next_message += 1
            msg: dict[str, Any] = {
                "message_id": self.next_message,
                "date": int(time.time()),
                "chat": self._chat(chat_id, chat_type),
                "from": {"id": user_id, "is_bot": False, "first_name": "U", "username": f"u{user_id}"},
                "text": text,
            }
            if text.startswith("/"):
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if reply_to is not None:
                msg["reply_to_message"] = {
                    "message_id": reply_to,
                    "date": int(time.time()),
                    "chat": msg["chat"],
                    "from": BOT,
                    "text": "story",
                }
            if thread_id is not None:
                msg["message_thread_id"] = thread_id
                msg["is_topic_message"] = True
            self._push({"message": msg})
            return self.next_message

    def push_callback(
        self, chat_id: int, user_id: int, data: str, message_id: int, chat_type: str = "private"
    ) -> None:
        with self.lock:
            self._push(
                {
                    "callback_query": {
                        "id": f"cb{self.next_update}",
                        "chat_instance": "ci",
                        "data": data,
                        "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                        "message": {
                            "message_id": message_id,
                            "date": int(time.time()),
                            "chat": self._chat(chat_id, chat_type),
                            "from": BOT,
                            "text": "story",
                        },
                    }
                }
            )

    def _push(self, update: dict[str, Any]) -> None:
        update["update_id"] = self.next_update
        self.next_update += 1
        self.updates.append(update)
        self.lock.notify_all()

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until `predicate(sent)` is true; returns the sent messages."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate(self.sent):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; sent so far: {self.sent}")
                self.lock.wait(left)
            return list(self.sent)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for m, p in self.calls if m == method]

    # serving ---------------------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append((method, params))
            queued = self.failures.get(method)
            if queued:
                return queued.pop(0)
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
                while True:
                    ready = [u for u in self.updates if u["update_id"] >= offset]
                    if ready or time.monotonic() >= deadline:
                        return 200, {"ok": True, "result": ready}
                    self.lock.wait(max(0.01, deadline - time.monotonic()))
            if method == "getMe":
                return 200, {"ok": True, "result": BOT}
            if method in ("setMyCommands", "deleteWebhook", "setWebhook", "answerCallbackQuery", "close"):
                return 200, {"ok": True, "result": True}
            if method == "getChatAdministrators":
                ids = self.admins.get(str(params.get("chat_id")), [])
                return 200, {
                    "ok": True,
                    "result": [
                        {
                            "status": "creator",
                            "is_anonymous": False,
                            "user": {"id": i, "is_bot": False, "first_name": "A"},
                        }
                        for i in ids
                    ],
                }
            if method == "sendMessage":
                return self._send(params)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}

    def _send(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = str(params.get("chat_id"))
        if chat_id in self.blocked:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        text = str(params.get("text", ""))
        plain = text
        if params.get("parse_mode") == "HTML":
            error, plain = parse_html(text)
            if error:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": f"Bad Request: can't parse entities: {error}",
                }
        if not plain.strip():
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        if len(plain.encode("utf-16-le")) // 2 > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        self.next_message += 1
        chat_type = self.chat_types.get(chat_id, "private" if not chat_id.startswith("-") else "supergroup")
        record = dict(params, plain=plain, message_id=self.next_message, time=time.monotonic())
        self.sent.append(record)
        self.lock.notify_all()
        return 200, {
            "ok": True,
            "result": {
                "message_id": self.next_message,
                "date": int(time.time()),
                "chat": {"id": int(chat_id), "type": chat_type},
                "text": plain,
                "from": BOT,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = self.path[len(prefix) :]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {}
                    for k, v in parse_qsl(body, keep_blank_values=True):
                        try:
                            params[k] = v if k in RAW_KEYS else json.loads(v)
                        except ValueError:
                            params[k] = v
                status, payload = fake._answer(method, params)
                self._reply(status, payload)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
                    self.wfile.write(data)

        return Handler


class LimitedTelegram(FakeTelegram):
    """The fake Bot API enforcing a global limit: more than `limit` messages in any second -> 429.
    `too_many` holds the times of the 429s; a subclass may pace differently by overriding `_allowed`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.window: deque[float] = deque()
        self.too_many: list[float] = []

    def _allowed(self, now: float) -> bool:
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        return len(self.window) < self.limit

    def _send(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        now = time.monotonic()
        if not self._allowed(now):
            self.too_many.append(now)
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        self.window.append(now)
        return super()._send(params)
