"""Embeddings for the application: the configured model, loaded only when first needed, with its
vectors cached in the store by content hash so a text is embedded once across runs and processes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.config import ModelsConfig
from bot.storage.models import EmbeddingRow
from summarizer.embeddings import CachedEmbedder, Embedder, load_embedder

_CHUNK = 500


class StoreCachedEmbedder:
    """An `Embedder` whose vectors persist in the `embeddings` table; the model loads lazily."""

    def __init__(self, engine: Engine, models: ModelsConfig, cache_dir: str | None = None,
                 inner: Embedder | None = None) -> None:
        self.engine = engine
        self.models = models
        self.cache_dir = cache_dir
        self.model_key = f"{models.embedding}:{models.runtime}"
        self._inner: Embedder | None = inner  # an already loaded model to share, else loaded lazily
        self.memory: dict[str, np.ndarray] = {}

    @property
    def inner(self) -> Embedder:
        if self._inner is None:
            self._inner = load_embedder(self.models.embedding, self.models.device, self.models.runtime,
                                        Path(self.cache_dir) if self.cache_dir else None)
        return self._inner

    @property
    def dim(self) -> int:
        if self.memory:
            return int(next(iter(self.memory.values())).shape[0])
        return self.inner.dim

    def _load(self, keys: list[str]) -> None:
        with Session(self.engine) as session:
            for lo in range(0, len(keys), _CHUNK):
                rows = session.execute(select(EmbeddingRow.key, EmbeddingRow.vector).where(
                    EmbeddingRow.model == self.model_key, EmbeddingRow.key.in_(keys[lo : lo + _CHUNK])))
                for key, blob in rows:
                    self.memory[key] = np.frombuffer(blob, dtype=np.float32)

    def _save(self, keys: list[str]) -> None:
        rows = [{"model": self.model_key, "key": k, "vector": self.memory[k].astype(np.float32).tobytes()}
                for k in keys]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            for lo in range(0, len(rows), _CHUNK):
                stmt = insert(EmbeddingRow).values(rows[lo : lo + _CHUNK])
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["model", "key"]))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [CachedEmbedder.key(t) for t in texts]
        unknown = [k for k in dict.fromkeys(keys) if k not in self.memory]
        if unknown:
            self._load(unknown)
        fresh = [k for k in unknown if k not in self.memory]
        if fresh:
            first = dict(zip(keys, texts, strict=True))
            vectors = self.inner.embed([first[k] for k in fresh])
            self.memory.update(zip(fresh, vectors, strict=True))
            self._save(fresh)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.memory[k] for k in keys])
