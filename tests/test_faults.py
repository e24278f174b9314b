"""Faults, tested: a worker killed with SIGKILL mid-delivery, database connections terminated, the chat
API answering 429, 5xx or timing out. Every test counts what reached the (fake) chat API.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fake_telegram import FakeTelegram
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from test_outbox import FAST, FLOOD, PARTY, SLOT, stories, subscribe, telegram

from bot.commands.state import ChatStore
from bot.delivery.dispatch import Dispatcher, delivery_counts
from bot.delivery.outbox import SlotRequest, build_slots
from bot.delivery.ratelimit import LocalRateLimiter
from bot.delivery.selection import Planner
from bot.delivery.senders import TelegramSender
from bot.storage.db import open_store
from bot.storage.delivery_models import OutboxMessageRow

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/9"


class FaultyTelegram(FakeTelegram):
    """The fake Bot API with scripted faults on sendMessage: by the number of the request."""

    def __init__(self) -> None:
        super().__init__()
        self.plan: dict[int, str] = {}  # request number -> "429" | "502" | "stall"
        self.requests = 0
        self.answers: Counter[str] = Counter()
        self.retry_after = 1

    def __enter__(self) -> FaultyTelegram:
        super().__enter__()
        return self

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method != "sendMessage":
            return super()._answer(method, params)
        with self.lock:
            self.requests += 1
            fault = self.plan.get(self.requests)
        if fault == "stall":  # an overloaded gateway: holds the request past the client's timeout, drops it
            with self.lock:
                self.answers["stall"] += 1
            time.sleep(1.5)
            return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        if fault == "502":
            self.answers["502"] += 1
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if fault == "429":
            self.answers["429"] += 1
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry later",
                "parameters": {"retry_after": self.retry_after},
            }
        status, payload = super()._answer(method, params)
        self.answers[str(status)] += 1
        return status, payload


def delivered(fake: FakeTelegram) -> Counter[tuple[str, str]]:
    """(chat, first line) of every accepted message: a duplicate shows as a count above one."""
    with fake.lock:
        return Counter((str(m["chat_id"]), m["plain"].split("\n")[0]) for m in fake.sent)


def prepare(engine: Engine, embedder: Any, chats: int) -> int:
    subs = subscribe(ChatStore(engine), chats)
    report = build_slots(
        engine, Planner(stories(FLOOD, PARTY), embedder), [SlotRequest(s, SLOT) for s in subs]
    )
    return report.messages


def open_count(engine: Engine, status: str) -> int:
    with Session(engine) as s:
        return int(
            s.scalar(
                select(func.count()).select_from(OutboxMessageRow).where(OutboxMessageRow.status == status)
            )
            or 0
        )


# --- the chat API failing, one process ---------------------------------------------------------------


def test_429_5xx_and_timeouts_are_retried_without_loss_or_duplicates(pg_url: str, embedder: Any) -> None:
    engine = open_store(pg_url)
    expected = prepare(engine, embedder, 10)
    with FaultyTelegram() as fake:
        fake.plan = {3: "502", 5: "429", 8: "stall", 9: "502", 12: "502"}

        async def scenario() -> Any:
            async with telegram(fake, engine) as adapter:
                limiter = LocalRateLimiter(FAST.rate_per_second)
                sender = TelegramSender(adapter, limiter, timeout=0.5)
                return await Dispatcher(engine, {"telegram": sender}, limiter, FAST, idle=0.05).drain(
                    timeout=40
                )

        stats = asyncio.run(scenario())
        got = delivered(fake)
    assert expected == 20
    assert sum(got.values()) == expected and len(got) == expected  # nothing lost, nothing twice
    assert fake.answers["429"] == 1 and fake.answers["502"] == 3 and fake.answers["stall"] == 1
    assert stats.throttled == 1 and stats.retried == 4 and stats.sent == expected
    assert delivery_counts(engine) == {"sent": expected}


def test_database_connections_terminated_mid_delivery(pg_url: str, embedder: Any) -> None:
    engine = open_store(pg_url)
    expected = prepare(engine, embedder, 15)
    dbname = pg_url.rsplit("/", 1)[1]
    kills: list[int] = []

    def terminate() -> None:  # what a database restart does to every open connection, three times
        for _ in range(3):
            time.sleep(0.4)
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (dbname,),
                ).fetchall()
                kills.append(len(rows))

    config = FAST.model_copy(update={"rate_per_second": 25.0})
    with FaultyTelegram() as fake:

        async def scenario() -> Any:
            async with telegram(fake, engine) as adapter:
                limiter = LocalRateLimiter(config.rate_per_second)
                dispatcher = Dispatcher(
                    engine, {"telegram": TelegramSender(adapter, limiter)}, limiter, config, idle=0.05
                )
                killer = threading.Thread(target=terminate)
                killer.start()
                stats = await dispatcher.drain(timeout=40)
                killer.join()
                return stats

        asyncio.run(scenario())
        got = delivered(fake)
    assert sum(kills) >= 3  # connections really were cut
    assert len(got) == expected and max(got.values()) == 1
    assert delivery_counts(engine) == {"sent": expected}


# --- a worker process killed with SIGKILL ----------------------------------------------------------------


def worker_config(tmp: Path, pg_url: str, prefix: str, rate: float) -> Path:
    path = tmp / "worker.toml"
    path.write_text(f"""
[store]
url = "{pg_url}"
[delivery]
rate_per_second = {rate}
concurrency = 4
chat_interval_seconds = 1.05
group_interval_seconds = 1.05
backoff_seconds = 0.1
max_backoff_seconds = 0.5
lease_seconds = 2.0
[workers]
enabled = true
redis_url = "{REDIS_URL}"
queue_name = "{prefix}:queue"
key_prefix = "{prefix}"
""")
    return path


def start_worker(config: Path, fake: FakeTelegram) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=fake.token,
        NEWSDIGEST_TELEGRAM_BASE_URL=fake.base_url,
        HF_HUB_OFFLINE="1",
    )
    env.pop("NEWSDIGEST_DB_URL", None)
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "newsdigest"), "worker", "--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def prefix() -> Any:
    import redis

    name = f"ndtest-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{name}*")) + list(client.scan_iter(f"arq:*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_worker_killed_during_a_429_pause(pg_url: str, embedder: Any, tmp_path: Path, prefix: str) -> None:
    """SIGKILL while every sender waits out a 429: the restarted worker sends the rest, each once."""
    engine = open_store(pg_url)
    expected = prepare(engine, embedder, 20)
    config = worker_config(tmp_path, pg_url, prefix, rate=40)
    with FaultyTelegram() as fake:
        fake.plan, fake.retry_after = {15: "429"}, 3
        first = start_worker(config, fake)
        try:
            wait_until(lambda: fake.answers["429"] == 1, 30, "the 429")
            time.sleep(0.6)  # in-flight sends settle; claimed messages now wait out the pause, unsent
            before = sum(delivered(fake).values())
            first.send_signal(signal.SIGKILL)
            first.wait(5)
            assert 0 < before < expected
        finally:
            stop(first)
        second = start_worker(config, fake)
        try:
            wait_until(
                lambda: sum(delivered(fake).values()) >= expected and open_count(engine, "sent") == expected,
                40,
                "every message",
            )
        finally:
            stop(second)
        got = delivered(fake)
    assert len(got) == expected and sum(got.values()) == expected  # nothing lost, nothing duplicated
    assert fake.answers["429"] == 1
    assert delivery_counts(engine) == {"sent": expected}
    with Session(engine) as s:  # the claims the killed worker held came back through their leases
        assert 0 < int(s.scalar(select(func.sum(OutboxMessageRow.unknown))) or 0) <= 4


def test_worker_killed_at_an_arbitrary_moment(
    pg_url: str, embedder: Any, tmp_path: Path, prefix: str
) -> None:
    """SIGKILL mid-send: nothing is lost; a second copy is possible only for a send whose outcome was
    unknown (killed between the API's answer and the commit), and every such case is counted."""
    engine = open_store(pg_url)
    expected = prepare(engine, embedder, 20)
    config = worker_config(tmp_path, pg_url, prefix, rate=40)
    with FaultyTelegram() as fake:
        first = start_worker(config, fake)
        try:
            wait_until(lambda: sum(delivered(fake).values()) >= expected // 3, 30, "a third of the messages")
            first.send_signal(signal.SIGKILL)
            first.wait(5)
        finally:
            stop(first)
        second = start_worker(config, fake)
        try:
            wait_until(lambda: open_count(engine, "sent") == expected, 40, "every message recorded")
        finally:
            stop(second)
        got = delivered(fake)
    with Session(engine) as s:
        unknown = int(s.scalar(select(func.sum(OutboxMessageRow.unknown))) or 0)
    assert len(got) == expected  # nothing lost
    duplicates = sum(got.values()) - expected
    assert duplicates <= unknown <= 4  # at most the in-flight sends of the killed worker (concurrency 4)
    assert delivery_counts(engine) == {"sent": expected}
