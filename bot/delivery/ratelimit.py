"""The global send rate: evenly spaced slots (GCRA), in-process or shared by every worker through Redis.

Spacing messages evenly (not bursting a window full) keeps a platform's own window-based limiter from
ever answering 429 at full speed. A sender that wakes more than `LATE_SECONDS` after its slot (the
process was starved of CPU) takes a new slot instead of sending at once: late sends catching up would
bunch, and a bunch is what a window-based limiter answers with 429 (and a pause of every sender). So
any 1-second window holds at most `rate x (1 + LATE_SECONDS)` sends. A 429's `retry_after` pauses every
sender (every worker, with Redis).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

LATE_SECONDS = 0.015


class RateLimiter(Protocol):
    async def acquire(self) -> None:
        """Wait for the next send slot."""

    async def pause(self, seconds: float) -> None:
        """No sends for `seconds` (the platform asked us to back off)."""


class LocalRateLimiter:
    """One process: slots `1/rate` apart; `pause` holds every waiting sender."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._tat = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        while True:
            now = time.monotonic()
            start = max(now, self._tat, self._paused_until)
            self._tat = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            now = time.monotonic()
            if self._paused_until <= now and now - start <= LATE_SECONDS:
                return

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)


_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, tat, paused)
redis.call('SET', KEYS[1], tostring(start + tonumber(ARGV[1])), 'EX', 3600)
return {tostring(start - now), tostring(paused - now)}
"""
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
local untl = math.max(paused, now + tonumber(ARGV[1]))
redis.call('SET', KEYS[1], tostring(untl), 'EX', 3600)
return tostring(untl - now)
"""


class RedisRateLimiter:
    """Every worker shares one slot sequence and one pause, kept in Redis (server clock, atomic scripts).

    One round trip per send: each reservation also reports the shared pause, so a sender that wakes for
    its slot checks the pause as last seen by any reservation of this process (at full rate, a few
    milliseconds old) instead of asking Redis again.
    """

    def __init__(self, redis: Any, rate: float, prefix: str = "newsdigest", name: str = "telegram") -> None:
        self.redis = redis
        self.interval = 1.0 / rate
        self.keys = (f"{prefix}:rate:{name}:tat", f"{prefix}:rate:{name}:paused")
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        self._paused_until = 0.0  # the shared pause, on this process's monotonic clock

    def _saw_pause(self, left: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + left)

    async def acquire(self) -> None:
        while True:
            asked = time.monotonic()  # the slot on our clock, counted from the request: never too late
            wait, paused = await self._reserve(keys=list(self.keys), args=[self.interval])
            self._saw_pause(float(paused))
            slot = asked + float(wait)
            if float(wait) > 0:
                await asyncio.sleep(float(wait))
            now = time.monotonic()
            if self._paused_until <= now and now - slot <= LATE_SECONDS:
                return

    async def pause(self, seconds: float) -> None:
        self._saw_pause(float(await self._pause(keys=[self.keys[1]], args=[seconds])))
