"""Cost of N articles through the product path: ingest, story assignment and /ask indexing, in batches.

The stream (bench.corpus.stream) arrives in polls of `BATCH` articles, as from feeds: each poll is
ingested from a JSON Lines source (`Newsroom.ingest`), its new articles join stories
(`bot.digests.assign_stories`, the clusterer state persisted in the store) and the /ask index takes
them in (`bot.ask.service.sync_index`). Embedding 10,000 articles' ~80,000 passages takes about an
hour on 2 cores, so the model is replaced by `StandIn`, seeded unit vectors by content hash: same
width, same batches, same storage, and every text it receives is one the model would embed. The model's
share is then added from its measured rate (`model_rate`) over a sample of those very texts; model
time is linear in the texts embedded by construction, so what the ratio tests is everything else.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from bench.corpus import Record, write_jsonl
from bot.ask import AskIndex
from bot.ask.service import sync_index
from bot.config import Config
from bot.digests import assign_stories, load_articles
from bot.service import Newsroom
from bot.storage import open_store
from summarizer.embeddings import Embedder

BATCH = 500
TARGET_RATIO = 12.0


class StandIn:
    """Unit vectors seeded by each text's hash, at no model cost; keeps every `every`-th text as a
    sample for timing the real model on the same kind of input."""

    def __init__(self, dim: int = 384, every: int = 25, keep: int = 160) -> None:
        self.dim, self.every, self.keep = dim, every, keep
        self.texts = 0
        self.sample: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            if self.texts % self.every == 0 and len(self.sample) < self.keep:
                self.sample.append(text)
            self.texts += 1
            seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            vec = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = vec / np.linalg.norm(vec)
        return out


def build(records: list[Record], db: Path, config: Config, standin: StandIn,
          batch: int = BATCH, bar: Any = None) -> tuple[Engine, dict[str, Any]]:
    """Feed `records` through a fresh SQLite store at `db`; returns the engine and per-stage seconds."""
    engine = open_store(f"sqlite:///{db}")
    news = Newsroom(config, engine, model=standin)
    index = AskIndex(engine, news.embedder)
    source = db.with_suffix(".poll.jsonl")
    polls: list[dict[str, float]] = []
    new = 0
    for lo in range(0, len(records), batch):
        part = records[lo : lo + batch]
        write_jsonl(source, part)
        t0 = time.perf_counter()
        report = news.ingest([str(source)])
        t1 = time.perf_counter()
        ids = [r.id for r in report.results if r.status == "new"]
        new += len(ids)
        assign_stories(engine, news.embedder, config, load_articles(engine, ids))
        t2 = time.perf_counter()
        sync_index(news, index)
        polls.append({"ingest": t1 - t0, "stories": t2 - t1, "ask_index": time.perf_counter() - t2})
        if bar is not None:
            bar.update(len(part))
    seconds = {stage: sum(p[stage] for p in polls) for stage in ("ingest", "stories", "ask_index")}
    return engine, {"articles": len(records), "new": new, "seconds": seconds,
                    "pipeline_s": sum(seconds.values()), "texts_embedded": standin.texts,
                    "batch": batch, "polls": [{k: round(v, 3) for k, v in p.items()} for p in polls]}


def averaged(first: dict[str, Any], again: dict[str, Any]) -> dict[str, Any]:
    """`first` with its stage and pipeline seconds replaced by the mean of the two runs of one size
    (both runs' totals kept under `pipeline_s_runs`)."""
    seconds = {k: (v + again["seconds"][k]) / 2 for k, v in first["seconds"].items()}
    return {**first, "seconds": seconds, "pipeline_s": sum(seconds.values()),
            "pipeline_s_runs": [first["pipeline_s"], again["pipeline_s"]]}


def model_rate(model: Embedder, texts: Sequence[str]) -> float:
    """Texts per second of the real model over `texts` (after a one-text warm-up)."""
    model.embed(list(texts[:1]))
    started = time.perf_counter()
    model.embed(list(texts))
    return len(texts) / (time.perf_counter() - started)


def ratio(small: dict[str, Any], large: dict[str, Any], rate: float) -> dict[str, float]:
    """Large / small time, without the model and with its projected share (texts / rate) added."""
    def with_model(run: dict[str, Any]) -> float:
        return float(run["pipeline_s"] + run["texts_embedded"] / rate)

    return {"pipeline": large["pipeline_s"] / small["pipeline_s"],
            "with_model": with_model(large) / with_model(small),
            "articles": large["articles"] / small["articles"]}
