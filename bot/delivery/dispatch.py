"""Deliver: claim outbox messages, send them, record the outcomes - retries, backoff, leases.

A feeder claims due messages for the free sender tasks, a quarter of them at a time (`UPDATE ... WHERE
id IN (SELECT ... FOR UPDATE SKIP LOCKED)`: any number of tasks and worker processes, never the same
message twice, `bot.delivery.records`); each sender waits for its rate slot, posts, and hands its
outcome to the recorder, which commits the outcomes of every send of the last `RECORD_SECONDS` in one
transaction (that also releases the next message of each digest, spaced per chat). A sender keeps its
claim until its outcome is committed, so at most `delivery.concurrency` sends per process are ever
unrecorded. A process killed there leaves those messages `sending` with a lease; when the lease lapses
they are sent again (`delivery.resend_unknown`), the one case where a platform without idempotency keys
may show a message twice (the window is the HTTP call and the commit after it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine

from bot.adapters.base import ChatGone
from bot.config import DeliveryConfig
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.records import (
    Claim,
    DispatchStats,
    OutboxRecords,
    Outcome,
    _sized,
    delivery_counts,
    worker_id,
)
from bot.delivery.senders import Sender, SendFailed, SendRetry
from bot.ops import metrics

log = logging.getLogger(__name__)
# Outcomes wait this long to be recorded together: one transaction for every message sent meanwhile.
RECORD_SECONDS = 0.05
__all__ = ["Claim", "DispatchStats", "Dispatcher", "delivery_counts", "worker_id"]


class Dispatcher(OutboxRecords):
    """Sends what the outbox holds, with `config.concurrency` tasks sharing one `RateLimiter`."""

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        limiter: RateLimiter,
        config: DeliveryConfig,
        name: str | None = None,
        idle: float = 0.2,
    ) -> None:
        self.engine = _sized(engine, config.concurrency)
        self._pool = ThreadPoolExecutor(max_workers=config.concurrency + 2, thread_name_prefix="outbox")
        self.senders = dict(senders)
        self.platforms = list(self.senders)
        self.limiter = limiter
        self.config = config
        self.name = name or worker_id()
        self.idle = idle
        self.stats = DispatchStats()
        self.wake = asyncio.Event()
        self._room = asyncio.Event()
        self._held = 0
        self._outcomes: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()

    def _backoff(self, attempts: int) -> float:
        base = min(self.config.backoff_seconds * 2 ** (attempts - 1), self.config.max_backoff_seconds)
        return base * random.uniform(0.8, 1.2)

    async def _thread(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    # sending ----------------------------------------------------------------------------------------

    async def deliver(self, claim: Claim) -> None:
        platform = claim.chat.platform
        sender = self.senders[platform]
        started = time.perf_counter()
        try:
            ids = await sender.post(claim.chat, claim.kind, claim.payload, claim.record_id)
        except SendRetry as exc:  # not an attempt: the platform is pacing us
            await self.limiter.pause(exc.seconds)
            self.stats.throttled += 1
            metrics.DELIVERY_RETRIES.labels(platform, "throttled").inc()
            await self._settle(
                Outcome(claim, "pending", str(exc), delay=exc.seconds, attempts=claim.attempts - 1)
            )
        except ChatGone as exc:
            log.warning("chat %s:%s is gone: %s", claim.chat.platform, claim.chat.chat_id, exc)
            self.stats.gone += 1
            metrics.DELIVERY_FAILURES.labels(platform, "gone").inc()
            await self._settle(Outcome(claim, "gone", str(exc)))
        except SendFailed as exc:
            log.error("message %d refused by %s: %s", claim.id, claim.chat.platform, exc)
            self.stats.failed += 1
            metrics.DELIVERY_FAILURES.labels(platform, "failed").inc()
            await self._settle(Outcome(claim, "failed", str(exc)))
        except Exception as exc:  # timeouts, 5xx, connection errors: try again later
            reason = f"{type(exc).__name__}: {exc}"[:300]
            if claim.attempts >= self.config.max_attempts:
                log.error("message %d failed after %d attempts: %s", claim.id, claim.attempts, reason)
                self.stats.failed += 1
                metrics.DELIVERY_FAILURES.labels(platform, "failed").inc()
                await self._settle(Outcome(claim, "failed", reason))
            else:
                self.stats.retried += 1
                metrics.DELIVERY_RETRIES.labels(platform, "error").inc()
                await self._settle(Outcome(claim, "pending", reason, delay=self._backoff(claim.attempts)))
        else:
            self.stats.sent += 1
            metrics.MESSAGES_SENT.labels(platform).inc()
            metrics.SEND_SECONDS.labels(platform).observe(time.perf_counter() - started)
            await self._settle(Outcome(claim, "sent", ids=ids))

    def _track(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return task

    async def _settle(self, outcome: Outcome) -> None:
        """Record an outcome with the others of the next batch; returns once it is committed (so a sender
        holds its claim, and `delivery.concurrency` bounds the sends whose outcome a crash leaves open)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((outcome, done))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_batches())
        await done

    async def _record_batches(self) -> None:
        while self._outcomes:
            await asyncio.sleep(RECORD_SECONDS)
            batch, self._outcomes = self._outcomes, []
            try:
                await self._thread(self.record, [o for o, _ in batch])
            except Exception as exc:  # the database is gone: each sender logs it, leases bring them back
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _feed(self, stop: asyncio.Event, queue: asyncio.Queue[tuple[Claim, float]]) -> None:
        """Keep the sender tasks supplied: claim as many messages as there are free senders, in batches of a
        quarter of them (one claim transaction per batch, not per message)."""
        batch = max(1, self.config.concurrency // 4)
        while not stop.is_set():
            room = self.config.concurrency - self._held
            if room <= 0 or (room < batch and self._held):
                self._room.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._room.wait(), self.idle)
                continue
            try:
                claims = await self._thread(self.claim, room)
            except Exception as exc:  # the database restarting: wait, then carry on
                log.warning("claim failed: %s", exc)
                self.stats.errors.append(str(exc)[:200])
                claims = []
            if not claims:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.idle)
                continue
            self._held += len(claims)
            for claim in claims:
                queue.put_nowait((claim, time.monotonic()))

    async def _send(self, queue: asyncio.Queue[tuple[Claim, float]]) -> None:
        """Wait for the rate slot, then post: the send follows its slot closely, and a claim that waited
        close to its lease (a long 429 pause) is handed back instead of racing its recovery."""
        while True:
            claim, claimed = await queue.get()
            attempted = False
            try:
                await self.limiter.acquire()
                attempted = True
                if time.monotonic() - claimed > 0.8 * self.config.lease_seconds:
                    outcome = Outcome(
                        claim,
                        "pending",
                        "lease nearly over before sending",
                        delay=0.0,
                        attempts=claim.attempts - 1,
                    )
                    await asyncio.shield(self._track(self._settle(outcome)))
                    continue
                # a send under way is finished and recorded even when the dispatcher stops
                await asyncio.shield(self._track(self.deliver(claim)))
            except asyncio.CancelledError:
                if not attempted:
                    queue.put_nowait((claim, claimed))  # handed back on shutdown
                raise
            except Exception as exc:  # recording failed (database gone): the lease brings it back
                log.warning("could not record message %d: %s", claim.id, exc)
                self.stats.errors.append(str(exc)[:200])
                await asyncio.sleep(self.idle)
            finally:
                self._held -= 1
                self._room.set()

    async def _recovery(self, stop: asyncio.Event) -> None:
        every = max(0.2, min(self.config.lease_seconds / 4, 30.0))
        while not stop.is_set():
            with contextlib.suppress(Exception):
                await self._thread(self.recover)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; sends under way finish and are recorded, claims not yet attempted are
        handed back on the way out."""
        queue: asyncio.Queue[tuple[Claim, float]] = asyncio.Queue()
        tasks = [asyncio.create_task(self._send(queue)) for _ in range(self.config.concurrency)]
        tasks.append(asyncio.create_task(self._feed(stop, queue)))
        tasks.append(asyncio.create_task(self._recovery(stop)))
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.gather(*self._inflight, return_exceptions=True)
            left = []
            while not queue.empty():
                left.append(queue.get_nowait()[0])
            with contextlib.suppress(Exception):
                await self._thread(self.release, left)

    async def drain(self, timeout: float = 60.0) -> DispatchStats:
        """Run until no message is left open (or `timeout`): what `run --once` and tests use."""
        stop = asyncio.Event()
        runner = asyncio.create_task(self.run(stop))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while loop.time() < deadline:
                await asyncio.sleep(self.idle)
                with contextlib.suppress(Exception):
                    if await self._thread(self.open_messages) == 0:
                        break
        finally:
            stop.set()
            await runner
        return self.stats
