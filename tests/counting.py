"""A wrapper around the real model that records what it is asked to embed (for embed-once checks)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from summarizer.embeddings import Embedder


class Counting:
    """The real model, recording every text it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += texts
        return self.inner.embed(texts)
