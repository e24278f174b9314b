"""Telegram's flood limits, kept before sending and honoured after a 429.

Telegram asks bots to stay under about 1 message per second in a chat, 20 per minute in a group and
30 per second overall, and answers 429 with `retry_after` otherwise. PTB's own `AIORateLimiter`
needs an extra package; this limiter plugs into the same `BaseRateLimiter` hook with no dependency,
and its limits are parameters so tests can run it at speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Only these count against the per-chat limits; reads (getUpdates, getChatAdministrators) do not.
_SENDING = ("send", "edit", "copy", "forward")


def retry_seconds(exc: RetryAfter) -> float:
    """A 429's wait in seconds, as a timedelta (PTB_TIMEDELTA) or a number (PTB 22's default)."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait or 1)


class FloodLimiter(BaseRateLimiter[int]):
    """Per chat, per group and overall sliding windows; `RetryAfter` pauses everything and retries."""

    def __init__(self, per_chat_interval: float = 1.0, group_per_minute: int = 20,
                 overall_per_second: int = 30, max_retries: int = 3, group_window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_chat_interval = per_chat_interval
        self.group_per_minute = group_per_minute
        self.group_window = group_window
        self.overall_per_second = overall_per_second
        self.max_retries = max_retries
        self.clock = clock
        self._last: dict[str, float] = {}
        self._groups: dict[str, deque[float]] = defaultdict(deque)
        self._overall: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._paused_until = 0.0
        self.retries = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _wait_for(self, chat: str | None, group: bool, now: float) -> float:
        while self._overall and now - self._overall[0] >= 1.0:
            self._overall.popleft()
        wait = max(0.0, self._paused_until - now)
        if len(self._overall) >= self.overall_per_second:
            wait = max(wait, 1.0 - (now - self._overall[0]))
        if chat is not None:
            wait = max(wait, self._last.get(chat, -1e9) + self.per_chat_interval - now)
            if group:
                window = self._groups[chat]
                while window and now - window[0] >= self.group_window:
                    window.popleft()
                if len(window) >= self.group_per_minute:
                    wait = max(wait, self.group_window - (now - window[0]))
        return wait

    async def _acquire(self, chat: str | None, group: bool) -> None:
        async with self._lock:  # one sender decides at a time, so windows are never overrun
            while (wait := self._wait_for(chat, group, self.clock())) > 0:
                await asyncio.sleep(wait)
            now = self.clock()
            self._overall.append(now)
            if chat is not None:
                self._last[chat] = now
                if group:
                    self._groups[chat].append(now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        chat = str(chat_id) if chat_id is not None else None
        group = False
        with contextlib.suppress(ValueError, TypeError):
            group = int(str(chat_id)) < 0
        throttled = endpoint.lower().startswith(_SENDING)
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        for attempt in range(retries + 1):
            if throttled:
                await self._acquire(chat, group)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                delay = retry_seconds(exc)
                log.info("Telegram flood limit on %s: retrying after %.1f s", endpoint, delay)
                self.retries += 1
                self._paused_until = max(self._paused_until, self.clock() + delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
