"""The ops endpoint on loopback (/healthz, /metrics) over real stores, JSON logs, the config reference."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.ingestion import open_source
from bot.ingestion.pipeline import ingest
from bot.ops.logs import use_format
from bot.ops.server import OpsServer, run_server, worker_server
from bot.scheduling.service import Runtime, start_scheduler, stop_scheduler
from bot.storage.db import create_store_engine, open_store
from bot.storage.models import ArticleRow

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
UNREACHABLE_PG = "postgresql+psycopg://postgres@127.0.0.1:1/none"  # nothing listens on port 1


def ops_config(**workers: Any) -> Config:
    config = Config()
    config.ops.port = config.ops.worker_port = 0  # any free port
    for key, value in workers.items():
        setattr(config.workers, key, value)
    return config


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def ingested(page: dict[tuple[str, tuple[tuple[str, str], ...]], float], status: str) -> float:
    return page.get(("newsdigest_articles_ingested_total", (("status", status),)), 0.0)


async def serving(server: OpsServer, body: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as client:
            await body(client)
    finally:
        await server.stop()


def test_metrics_count_the_seeds_ingested(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    server = run_server(engine, ops_config(), scheduler=False)

    async def body(client: httpx.AsyncClient) -> None:
        health = await client.get("/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["checks"]["db"]["ok"] is True
        before = samples((await client.get("/metrics")).text)
        assert before[("newsdigest_outbox_messages", (("status", "pending"),))] == 0
        first = await asyncio.to_thread(ingest, engine, [open_source(str(SEEDS))], False)
        middle = samples((await client.get("/metrics")).text)
        second = await asyncio.to_thread(ingest, engine, [open_source(str(SEEDS))], False)
        after = samples((await client.get("/metrics")).text)
        assert first.count("new") > 0 and not first.skipped
        assert ingested(middle, "new") - ingested(before, "new") == first.count("new")
        assert ingested(after, "new") == ingested(middle, "new")  # the second pass finds nothing new
        dupes = ingested(after, "duplicate") - ingested(middle, "duplicate")
        assert dupes == second.count("duplicate") == first.count("new")

    asyncio.run(serving(server, body))


def test_healthz_503_when_the_store_is_unreachable() -> None:
    engine = create_store_engine(UNREACHABLE_PG)
    server = run_server(engine, ops_config(), scheduler=False)

    async def body(client: httpx.AsyncClient) -> None:
        health = await client.get("/healthz")
        assert health.status_code == 503
        db = health.json()["checks"]["db"]
        assert db["ok"] is False and db["error"] == "OperationalError"
        assert "127.0.0.1" not in health.text  # the type only, never the message
        page = await client.get("/metrics")  # still answers, without the store's gauges
        assert page.status_code == 200
        assert "newsdigest_articles_ingested_total" in page.text
        assert "newsdigest_outbox_messages" not in page.text

    asyncio.run(serving(server, body))


def test_healthz_follows_the_scheduler(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    config = ops_config()
    server = run_server(engine, config, scheduler=True)

    async def nothing(*_args: Any) -> None:
        return None

    async def body(client: httpx.AsyncClient) -> None:
        assert (await client.get("/healthz")).json()["checks"]["scheduler"]["ok"] is False
        scheduler = await start_scheduler(Runtime(engine, config, nothing, nothing))
        try:
            health = await client.get("/healthz")
            assert health.status_code == 200, health.text
        finally:
            stop_scheduler(scheduler)
        health = await client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "fail"

    asyncio.run(serving(server, body))


@pytest.mark.redis
def test_scale_out_checks_redis_and_reports_the_queue(sqlite_url: str) -> None:
    from redis import Redis

    engine = open_store(sqlite_url)
    queue = f"nd-test-{uuid.uuid4().hex[:8]}"
    server = run_server(engine, ops_config(enabled=True, queue_name=queue), scheduler=False)
    broken = run_server(engine, ops_config(enabled=True, redis_url="redis://127.0.0.1:1/0"), False)
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    redis.zadd(queue, {"job-a": 1.0, "job-b": 2.0})

    async def body(client: httpx.AsyncClient) -> None:
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json()["checks"]["redis"]["ok"] is True
        assert samples((await client.get("/metrics")).text)[("newsdigest_queue_jobs", ())] == 2

    async def down(client: httpx.AsyncClient) -> None:
        health = await client.get("/healthz")
        assert health.status_code == 503 and health.json()["checks"]["redis"]["ok"] is False

    try:
        asyncio.run(serving(server, body))
        asyncio.run(serving(broken, down))
    finally:
        redis.delete(queue)
        redis.close()


@pytest.mark.redis
def test_worker_endpoint_follows_its_dispatcher(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)

    async def main() -> None:
        task = asyncio.create_task(asyncio.Event().wait())
        server = worker_server(engine, ops_config(), lambda: task)

        async def body(client: httpx.AsyncClient) -> None:
            health = await client.get("/healthz")
            assert health.status_code == 200, health.text
            assert health.json()["role"] == "worker"
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            health = await client.get("/healthz")
            assert health.status_code == 503 and health.json()["checks"]["dispatcher"]["ok"] is False

        await serving(server, body)

    asyncio.run(main())


def test_json_log_lines_parse() -> None:
    logger = logging.getLogger("newsdigest.test.ops")
    logger.propagate = False
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    try:
        use_format("json", logger)
        logger.warning("delivered to %d chats: %s", 3, 'quote " and\nnewline')
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.handlers.clear()
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert [e["level"] for e in lines] == ["WARNING", "ERROR"]
    assert lines[0]["message"] == 'delivered to 3 chats: quote " and\nnewline'
    assert lines[0]["logger"] == "newsdigest.test.ops" and lines[0]["ts"].endswith("+00:00")
    assert "ValueError: boom" in lines[1]["exc"]


def test_run_serves_ops_and_logs_json(tmp_path: Path) -> None:
    """`newsdigest run` as deployed: ops endpoint from the config file, JSON log lines on stderr."""
    config = tmp_path / "nd.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "nd.db"}"\n[sources]\nlocations = ["{SEEDS}"]\n'
        '[ops]\nport = 0\nlog_format = "json"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_", "NEWSDIGEST_"))}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "-v",
            "run",
            "--no-schedule",
            "--no-progress",
            "--config",
            str(config),
        ],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stderr is not None
    lines: list[dict[str, Any]] = []
    port = None
    try:
        deadline = time.monotonic() + 120
        while port is None and time.monotonic() < deadline:
            raw = proc.stderr.readline()
            if not raw:
                break
            lines.append(json.loads(raw))  # every line is one JSON object
            found = re.search(r"ops endpoint on http://127\.0\.0\.1:(\d+)", lines[-1]["message"])
            port = int(found.group(1)) if found else None
        assert port is not None, lines[-5:]
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["role"] == "run"
        page = samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
        with Session(create_store_engine(f"sqlite:///{tmp_path / 'nd.db'}")) as session:
            stored = session.scalar(select(func.count()).select_from(ArticleRow))
        assert stored and ingested(page, "new") == stored  # start-up ingested the seeds
    finally:
        _, rest = proc.communicate(input="", timeout=60)  # end of console input: the bot stops
    assert proc.returncode == 0
    for raw in rest.splitlines():
        json.loads(raw)


def section_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += section_fields(kind, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_configuration_reference_names_every_key_and_variable() -> None:
    docs = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    keys = section_fields(Config)
    assert "ops.port" in keys and "store.url" in keys
    missing = [k for k in keys if f"`{k}`" not in docs]
    assert not missing, f"docs/configuration.md lacks {missing}"
    default = tomllib.loads((REPO / "config" / "default.toml").read_text(encoding="utf-8"))
    in_file = [f"{section}.{key}" for section, table in default.items() for key in table]
    assert sorted(in_file) == sorted(keys)  # the default file spells out every key, and only those
    source = (REPO / "bot" / "config.py").read_text(encoding="utf-8")
    variables = set(re.findall(r"""env(?:iron)?(?:\.get\(|\[)["']([A-Z_]+)["']""", source))
    assert {"NEWSDIGEST_DB_URL", "TELEGRAM_BOT_TOKEN"} <= variables
    missing = sorted(v for v in variables if f"`{v}`" not in docs)
    assert not missing, f"docs/configuration.md lacks {missing}"


def test_deployment_examples_are_consistent(monkeypatch: pytest.MonkeyPatch) -> None:
    """compose.yaml parses and matches its config; the example configs load; the image checks /healthz."""
    import yaml

    monkeypatch.delenv("NEWSDIGEST_DB_URL", raising=False)

    from bot.config import load_config

    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"app", "worker", "postgres", "redis"} <= set(services)
    assert all("healthcheck" in services[name] for name in ("postgres", "redis"))
    for name in ("app", "worker"):
        assert {d: c["condition"] for d, c in services[name]["depends_on"].items()} == {
            "postgres": "service_healthy",
            "redis": "service_healthy",
        }
    in_compose = load_config(REPO / "deploy" / "compose.toml")
    assert in_compose.workers.enabled and in_compose.ops.listen == "0.0.0.0"
    assert services["worker"]["environment"]["OPS_PORT"] == str(in_compose.ops.worker_port)
    assert services["app"]["ports"] == [f"127.0.0.1:{in_compose.ops.port}:{in_compose.ops.port}"]
    assert load_config(REPO / "deploy" / "newsdigest.toml").store.url.startswith("sqlite:////var/lib/")
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert f"OPS_PORT={in_compose.ops.port}" in dockerfile and "/healthz" in dockerfile
    assert "torch==2.13.0" in dockerfile and "USER newsdigest" in dockerfile
