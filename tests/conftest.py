"""Shared fixtures: real SQLite files, a throwaway PostgreSQL database, the real embedding model, and
for the security tests a chosen address for `*.test` names and the start-up log redaction."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from fake_slack import FakeSlack
    from fake_telegram import FakeTelegram
    from httpserver import LoopbackServer

    from bot import redact
    from summarizer.embeddings import CachedEmbedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The suite mixes forked worker processes, asyncio threads and torch: one intra-op thread keeps
# torch's thread pool from hanging a model call made from a worker thread after a fork.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
PG_ADMIN_URL = os.environ.get("NEWSDIGEST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

# Property tests: "ci" (the default) keeps the fuzz set well under a minute; HYPOTHESIS_PROFILE=deep
# runs many more examples locally (docs/testing.md). Tests that set max_examples keep their own.
settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"nd_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def embedder() -> CachedEmbedder:
    """The default model, loaded once per test session, with an in-memory content-hash cache."""
    from summarizer.embeddings import CachedEmbedder, TorchEmbedder

    return CachedEmbedder(TorchEmbedder())


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API on 127.0.0.1 (tests/fake_telegram.py), for tests beyond test_telegram."""
    from fake_telegram import FakeTelegram

    with FakeTelegram() as server:
        yield server


@pytest.fixture
def slack_api() -> Iterator[FakeSlack]:
    """The fake Slack Web API on 127.0.0.1 (tests/fake_slack.py), for tests beyond test_slack."""
    from fake_slack import FakeSlack

    with FakeSlack() as server:
        yield server


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A canned-route HTTP server on 127.0.0.1 (tests/httpserver.py)."""
    from httpserver import serve

    with serve() as running:
        yield running


# --- security: a chosen address for `*.test` names, the start-up log redaction ----------------------


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """`*.test` names answer with the address the test puts here; every other name resolves as usual."""
    table: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = str(host).rstrip(".").lower()
        if not name.endswith(".test"):
            return real(host, port, *args, **kwargs)
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ip = ip_address(table[name])
        family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
        sockaddr = (str(ip), int(port or 0)) if ip.version == 4 else (str(ip), int(port or 0), 0, 0)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def redactor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., redact.Redactor]]:
    """`redact.install` as start-up calls it, undone afterwards so other tests see their own logs."""
    from bot import redact

    previous = logging.getLogRecordFactory()
    monkeypatch.setattr(redact, "_installed", None)
    yield redact.install
    logging.setLogRecordFactory(previous)
