"""Embeddings for the application: the configured model, loaded only when first needed, with its
vectors cached in the store by content hash so a text is embedded once across runs and processes."""

from __future__ import annotations

from collections import OrderedDict
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
# vectors kept in memory besides the table: ~75 MB of 384-d float32, the sentences of ~2,000 articles (a
# story's digest re-reads what indexing its articles embedded); older ones reload from the table
MEMORY_VECTORS = 50_000


class StoreCachedEmbedder:
    """An `Embedder` whose vectors persist in the `embeddings` table; the model loads lazily."""

    def __init__(self, engine: Engine, models: ModelsConfig, cache_dir: str | None = None,
                 inner: Embedder | None = None, memory_vectors: int = MEMORY_VECTORS) -> None:
        self.engine = engine
        self.models = models
        self.cache_dir = cache_dir
        self.model_key = models.key
        self._inner: Embedder | None = inner  # an already loaded model to share, else loaded lazily
        self.memory: OrderedDict[str, np.ndarray] = OrderedDict()  # least recently used first
        self.memory_vectors = memory_vectors

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

    def _load(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with Session(self.engine) as session:
            for lo in range(0, len(keys), _CHUNK):
                rows = session.execute(select(EmbeddingRow.key, EmbeddingRow.vector).where(
                    EmbeddingRow.model == self.model_key, EmbeddingRow.key.in_(keys[lo : lo + _CHUNK])))
                found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def _save(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [{"model": self.model_key, "key": k, "vector": v.astype(np.float32).tobytes()}
                for k, v in vectors.items()]
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as conn:
            for lo in range(0, len(rows), _CHUNK):
                stmt = insert(EmbeddingRow).values(rows[lo : lo + _CHUNK])
                conn.execute(stmt.on_conflict_do_nothing(index_elements=["model", "key"]))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [CachedEmbedder.key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for k in dict.fromkeys(keys):
            if k in self.memory:
                self.memory.move_to_end(k)
                found[k] = self.memory[k]
        unknown = [k for k in dict.fromkeys(keys) if k not in found]
        if unknown:
            found.update(self._load(unknown))
        fresh = [k for k in unknown if k not in found]
        if fresh:
            first = dict(zip(keys, texts, strict=True))
            vectors = dict(zip(fresh, self.inner.embed([first[k] for k in fresh]), strict=True))
            self._save(vectors)
            found.update(vectors)
        for k in unknown:
            self.memory[k] = found[k]
        while len(self.memory) > self.memory_vectors:
            self.memory.popitem(last=False)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys])
