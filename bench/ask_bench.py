"""/ask latency: p50 / p95 of search + answer over N stored articles, BM25-only beside hybrid.

Articles are synthesised from the qa eval corpus (repeated with fresh ids past its 4,045 documents, so
their passage vectors come from the eval's disk cache and only uncached texts are embedded). Runs on a
throwaway SQLite file (FTS5), migrated like a real store, unless --url names a fresh database.
Questions are embedded once before timing (a cache hit inside it), so the figures are search +
answer; `newsdigest bench` reports the question embedding on its own.

    HF_HUB_OFFLINE=1 nice .venv/bin/python -m bench.ask_bench --articles 1000 10000 --questions 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.ask import AskIndex, ask
from bot.evaluation.qa import VECTORS, DiskVectorCache, eval_embedder, load, to_article
from bot.storage.db import create_store_engine, downgrade, migrate
from summarizer.embeddings import CachedEmbedder, Embedder
from summarizer.retrieval import Mode
from summarizer.types import Article

TARGET_P95_MS = 150.0
TARGET_INDEX_RATE = 15.0  # articles/s indexed, embeddings included


def articles(corpus: dict[str, dict[str, Any]], n: int) -> list[Article]:
    docs = list(corpus.values())
    out = []
    for i in range(n):
        a = to_article(docs[i % len(docs)])
        out.append(Article(id=f"{a.id}~{i // len(docs)}", title=a.title, text=a.text, outlet=a.outlet,
                           url=a.url, published=a.published))
    return out


def questions(data: Path, n: int, seed: int = 0) -> list[str]:
    """A fixed random sample of `n` qa eval questions."""
    _, qs = load(data / "qa")
    return [q["question"] for q in random.Random(seed).sample(qs, min(n, len(qs)))]


def latency(index: AskIndex, sample: Sequence[str], modes: Sequence[Mode] = ("bm25", "hybrid"),
            ) -> list[dict[str, Any]]:
    """p50 / p95 wall and CPU milliseconds of `ask` per mode; the index's embedder should already
    hold the questions' vectors (a cache), so the model is not timed."""
    rows = []
    for mode in modes:
        ask(index, sample[0], mode=mode)  # warm the vector matrix
        times, cpus = [], []
        for q in sample:
            t, c = time.perf_counter(), time.process_time()
            ask(index, q, mode=mode)
            times.append(1000 * (time.perf_counter() - t))
            cpus.append(1000 * (time.process_time() - c))
        # wall time on a shared machine includes waiting for a core: CPU time is reported too
        rows.append({"mode": mode, "questions": len(sample), "p50_ms": float(np.percentile(times, 50)),
                     "p95_ms": float(np.percentile(times, 95)), "cpu_p50_ms": float(np.percentile(cpus, 50)),
                     "cpu_p95_ms": float(np.percentile(cpus, 95)), "load": os.getloadavg()[0]})
    return rows


def cold_indexing(fresh: Sequence[Article], model: Embedder) -> dict[str, Any]:
    """Index `fresh` into an empty store with nothing cached, so `model` embeds every sentence once:
    the indexing rate with embeddings that the issue targets."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_store_engine(f"sqlite:///{tmp}/cold.db")
        migrate(engine)
        cold = CachedEmbedder(model)  # an empty cache in front of the model
        model.embed(["warm up"])
        t0, c0 = time.perf_counter(), time.process_time()
        AskIndex(engine, cold).add_articles(fresh)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        engine.dispose()
    return {"articles": len(fresh), "texts_embedded": len(cold.cache), "seconds": took,
            "articles_per_s": len(fresh) / took, "articles_per_cpu_s": len(fresh) / cpu,
            "load": os.getloadavg()[0]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/eval"))
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--cold", type=int, default=100,
                    help="also index this many articles with no cached vectors (indexing speed)")
    args = ap.parse_args()
    corpus, _ = load(args.data / "qa")
    disk = DiskVectorCache(VECTORS)
    embedder = CachedEmbedder(eval_embedder(), cache=disk.vectors)
    sample = questions(args.data, args.questions)
    if args.cold:
        print(json.dumps(cold_indexing([replace(a, id=f"cold-{a.id}") for a in articles(corpus, args.cold)],
                                       embedder.inner)), flush=True)
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_store_engine(args.url or f"sqlite:///{tmp}/ask.db")
            if args.url:  # start from an empty index on the given database
                migrate(engine)
                downgrade(engine, "0003")
            migrate(engine)
            index = AskIndex(engine, embedder)
            t0 = time.perf_counter()
            index.add_articles(articles(corpus, n))
            build = time.perf_counter() - t0
            embedder.embed(sample)  # questions embedded once, outside timing
            for row in latency(index, sample):
                print(json.dumps({"articles": n, **row, "index_build_s": build}), flush=True)
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
