"""Shared fixtures: real SQLite files, a throwaway PostgreSQL database, the real embedding model."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from summarizer.embeddings import CachedEmbedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The suite mixes forked worker processes, asyncio threads and torch: one intra-op thread keeps
# torch's thread pool from hanging a model call made from a worker thread after a fork.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
PG_ADMIN_URL = os.environ.get("NEWSDIGEST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


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
