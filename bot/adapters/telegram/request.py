"""python-telegram-bot's HTTP requests over one aiohttp connection pool.

PTB's default transport (httpx) costs about a millisecond of CPU per request in pure-Python HTTP
handling; aiohttp parses HTTP in C. When the outbox posts hundreds of messages a second, that is the
difference between delivery being CPU-bound or not. PTB keeps everything else: request building,
the status-code-to-error mapping (429 -> RetryAfter, 403 -> Forbidden, ...), timeouts as TimedOut.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """`connections` kept-alive connections, shared by every request of the bot (PTB's defaults for the
    timeouts: 5 s to connect, write and read, 1 s to wait for a free connection)."""

    def __init__(
        self,
        connections: int = 16,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self.connections = connections
        self._timeouts = {"read": read_timeout, "connect": connect_timeout, "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _timeout(self, name: str, given: ODVInput[float]) -> float | None:
        return self._timeouts[name] if isinstance(given, DefaultValue) else given

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._timeout("read", read_timeout)
        connect = self._timeout("connect", connect_timeout)
        pool = self._timeout("pool", pool_timeout)
        timeout = aiohttp.ClientTimeout(  # (no write timeout in aiohttp: a request is small)
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        data: Any = None
        headers: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            data = aiohttp.FormData(request_data.json_parameters)
            for name, part in request_data.multipart_data.items():
                filename, content, *mime = part
                data.add_field(name, content, filename=filename, content_type=mime[0] if mime else None)
        elif request_data is not None:  # encoded here: aiohttp's own form encoding costs more per request
            data = urlencode(request_data.json_parameters).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            request = self._session.request(method, url, data=data, headers=headers, timeout=timeout)
            async with request as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
