"""The store-backed embedding cache: a text is embedded once across instances, and its in-memory part
stays bounded (least recently used vectors are dropped and reload from the table)."""

from __future__ import annotations

import numpy as np
import pytest
from counting import Counting

from bot.config import ModelsConfig
from bot.embedding_store import StoreCachedEmbedder
from bot.storage.db import open_store
from summarizer.embeddings import CachedEmbedder, Embedder

pytestmark = pytest.mark.model


def test_vectors_persist_and_memory_is_bounded(sqlite_url: str, embedder: Embedder) -> None:
    engine = open_store(sqlite_url)
    model = Counting(embedder)
    texts = ["Talks resume in Istanbul.", "The ceasefire holds.", "Markets fell sharply.", "Rain is due."]
    store = StoreCachedEmbedder(engine, ModelsConfig(), inner=model, memory_vectors=2)
    first = store.embed(texts)
    assert model.texts == texts and len(store.memory) == 2
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)

    again = store.embed([texts[0], texts[3], texts[0]])  # text 0 was dropped from memory: read back
    assert model.texts == texts and np.allclose(again, first[[0, 3, 0]], atol=1e-6)
    assert list(store.memory) == [CachedEmbedder.key(texts[3]), CachedEmbedder.key(texts[0])]

    other = StoreCachedEmbedder(engine, ModelsConfig(), inner=Counting(embedder))
    assert np.allclose(other.embed(texts), first, atol=1e-6)
    assert other.inner.texts == []  # type: ignore[attr-defined]
    assert store.embed([]).shape == (0, embedder.dim)
    engine.dispose()

