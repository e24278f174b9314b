"""The ops HTTP endpoint of a running process: `/healthz` (200 or 503 with a small JSON body) and
`/metrics` (Prometheus text format).

An aiohttp server inside the process's own event loop, so it lives and dies with the bot. Checks are
small async callables; a check that raises or exceeds `CHECK_TIMEOUT` fails, and the body names only
the exception type, never its message (which could carry a URL or credentials).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text

from bot.config import Config
from bot.ops.metrics import QueueCollector

log = logging.getLogger(__name__)
Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT = 3.0


def db_check(engine: Engine) -> Check:
    """The store answers `SELECT 1`."""

    def ping() -> bool:
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    async def check() -> bool:
        return await asyncio.to_thread(ping)

    return check


def redis_check(url: str) -> Check:
    """Redis answers PING."""

    async def check() -> bool:
        from redis.asyncio import Redis

        client = Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT)
        try:
            return bool(await client.ping())
        finally:
            await client.aclose()

    return check


def scheduler_check() -> Check:
    """The APScheduler of this process is installed and running."""

    async def check() -> bool:
        from bot.scheduling import service

        runtime = service.RUNTIME
        return bool(runtime and runtime.scheduler and runtime.scheduler.running)

    return check


def task_check(task: Callable[[], asyncio.Task[Any] | None]) -> Check:
    """A background task (a worker's dispatcher) exists and has not ended."""

    async def check() -> bool:
        current = task()
        return current is not None and not current.done()

    return check


def process_checks(engine: Engine, config: Config, scheduler: bool) -> dict[str, Check]:
    """What `/healthz` checks: the store, Redis in scale-out, the scheduler if this process runs it."""
    checks = {"db": db_check(engine)}
    if config.workers.enabled:
        checks["redis"] = redis_check(config.workers.redis_url)
    if scheduler:
        checks["scheduler"] = scheduler_check()
    return checks


class OpsServer:
    """`/healthz` and `/metrics` on host:port (port 0: any free port, see `port` after `start`)."""

    def __init__(
        self,
        host: str,
        port: int,
        checks: Mapping[str, Check],
        registry: CollectorRegistry | None = None,
        role: str = "run",
    ) -> None:
        self.host = host
        self.port = port
        self.checks = dict(checks)
        self.registry = registry  # per-process extras (queue depth) beside the default registry
        self.role = role
        self._runner: web.AppRunner | None = None

    async def health(self) -> tuple[bool, dict[str, Any]]:
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(self.checks[n]) for n in names))
        report = dict(zip(names, results, strict=True))
        ok = all(r["ok"] for r in results)
        return ok, {"status": "ok" if ok else "fail", "role": self.role, "checks": report}

    @staticmethod
    async def _run(check: Check) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            ok = await asyncio.wait_for(check(), CHECK_TIMEOUT)
            result: dict[str, Any] = {"ok": bool(ok)}
        except Exception as exc:
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    def render_metrics(self) -> bytes:
        body = generate_latest(REGISTRY)
        return body + generate_latest(self.registry) if self.registry is not None else body

    async def _healthz(self, _request: web.Request) -> web.Response:
        ok, body = await self.health()
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = await asyncio.to_thread(self.render_metrics)  # collectors may query the store
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]  # the bound port, when 0 asked for any free one
        log.info("ops endpoint on http://%s:%d (/healthz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def serve(self, stop: asyncio.Event) -> None:
        """A `run_forever` service: serve until `stop`; a port already taken is logged, not fatal."""
        try:
            await self.start()
        except OSError as exc:
            log.error("ops endpoint not started on %s:%d: %s", self.host, self.port, exc)
            return
        try:
            await stop.wait()
        finally:
            await self.stop()


def run_server(engine: Engine, config: Config, scheduler: bool) -> OpsServer:
    """The endpoint of `newsdigest run`: the checks above, plus queue depth in `/metrics`."""
    registry = CollectorRegistry()
    redis_url = config.workers.redis_url if config.workers.enabled else None
    registry.register(QueueCollector(engine, redis_url, config.workers.queue_name))
    checks = process_checks(engine, config, scheduler)
    return OpsServer(config.ops.listen, config.ops.port, checks, registry, role="run")


def worker_server(
    engine: Engine, config: Config, dispatcher: Callable[[], asyncio.Task[Any] | None]
) -> OpsServer:
    """The endpoint of one `newsdigest worker`: store, Redis and its dispatcher task."""
    checks = process_checks(engine, config, scheduler=False)
    checks["redis"] = redis_check(config.workers.redis_url)
    checks["dispatcher"] = task_check(dispatcher)
    return OpsServer(config.ops.listen, config.ops.worker_port, checks, role="worker")
