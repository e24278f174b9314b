"""A real HTTP server on 127.0.0.1 for ingestion tests: canned routes, custom handlers, a request log.

Tests import it (`from httpserver import serve`); it binds to loopback only, on a free port, and
serves from daemon threads so a deliberately slow handler never blocks shutdown.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


@dataclass
class LoopbackServer:
    """Routes by path; `requests` records what arrived (headers lower-cased)."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    port: int = 0
    host: str = "127.0.0.1"

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", status: int = 200,
            headers: Mapping[str, str] | None = None, delay: float = 0.0,
            content_length: bool = True) -> None:
        """A canned response; `content_length=False` sends a close-delimited body."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        def handler(request: BaseHTTPRequestHandler) -> None:
            if delay:
                time.sleep(delay)
            request.send_response(status)
            for key, value in (headers or {}).items():
                request.send_header(key, value)
            if content_length:
                request.send_header("Content-Length", str(len(data)))
            else:
                request.close_connection = True
            request.end_headers()
            request.wfile.write(data)

        self.routes[path] = handler

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.add(path, b"", status, {"Location": location})


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        path = self.path.split("?", 1)[0]
        state.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
        handler = state.routes.get(path)
        if handler is None:
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        try:
            handler(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, state: LoopbackServer) -> None:
        super().__init__((state.host, 0), _RequestHandler)
        self.state = state

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up early (timeouts, size caps) is expected here, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[LoopbackServer]:
    """A running server on a loopback address (127.x only) for the duration of the block."""
    if not host.startswith("127."):
        raise ValueError("test servers bind to loopback only")
    state = LoopbackServer(host=host)
    server = _Server(state)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class ThreadedFake:
    """Base of the fake chat APIs: a threaded HTTP server on a free loopback port, run as a context
    manager. Subclasses set their state, then call `super().__init__()` and provide `_handler()`."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
