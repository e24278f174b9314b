"""A fake Slack Web API on 127.0.0.1 for slack_sdk (base_url ending in `/`), plus request signing.

It records every call, answers auth.test, users.info, chat.postMessage and chat.postEphemeral, and
can inject 429 (with Retry-After) or Slack errors such as `channel_not_found`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from httpserver import ThreadedFake


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class FakeSlack(ThreadedFake):
    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        self.gone_channels: set[str] = set()
        self.admins: set[str] = set()
        self.ts = 1_700_000_000
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"


    def posts(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        with self.lock:
            return [p for m, p, _ in self.calls if m == method]

    def wait_for(self, method: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while len([1 for m, _, _ in self.calls if m == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {count} {method}; calls: {self.calls}")
                self.lock.wait(left)
        return self.posts(method)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self.lock:
            queued = self.failures.get(method)
            if queued:
                self.calls.append((method + "!failed", params, time.monotonic()))
                return queued.pop(0)
            self.calls.append((method, params, time.monotonic()))
            self.lock.notify_all()
            if method == "auth.test":
                return (
                    200,
                    {},
                    {"ok": True, "user_id": "UBOT", "bot_id": "B1", "team_id": "T1", "user": "news"},
                )
            if method == "users.info":
                user = str(params.get("user"))
                return (
                    200,
                    {},
                    {"ok": True, "user": {"id": user, "is_admin": user in self.admins, "is_owner": False}},
                )
            if method in ("chat.postMessage", "chat.postEphemeral"):
                if params.get("channel") in self.gone_channels:
                    return 200, {}, {"ok": False, "error": "channel_not_found"}
                self.ts += 1
                return 200, {}, {"ok": True, "channel": params.get("channel"), "ts": f"{self.ts}.000100"}
            return 200, {}, {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _handle(self) -> None:
                url = urlsplit(self.path)
                if not url.path.startswith("/api/"):
                    self._reply(404, {}, {"ok": False, "error": "not_found"})
                    return
                params: dict[str, Any] = dict(parse_qsl(url.query))
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(body or "{}"))
                else:
                    params.update(dict(parse_qsl(body)))
                if isinstance(params.get("blocks"), str):
                    params["blocks"] = json.loads(params["blocks"])
                params["_auth"] = self.headers.get("Authorization")
                self._reply(*fake._answer(url.path[len("/api/") :], params))

            do_GET = do_POST = _handle

            def _reply(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up
                    self.wfile.write(data)

        return Handler
