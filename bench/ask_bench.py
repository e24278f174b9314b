"""/ask latency: p50 / p95 of search + answer over N stored articles, BM25-only beside hybrid.

Articles are synthesised from the qa eval corpus (repeated with fresh ids past its 4,045 documents, so
their passage vectors come from the eval's disk cache and only uncached texts are embedded). Runs on a
throwaway SQLite file (FTS5), migrated like a real store, unless --url names a fresh database.

    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/ask_bench.py --articles 1000 10000 --questions 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ask import AskIndex, ask
from bot.evaluation.qa import CACHE_DIR, RUNTIME, DiskVectorCache, eval_embedder, load, to_article
from bot.storage.db import create_store_engine, downgrade, migrate
from summarizer.embeddings import CachedEmbedder
from summarizer.types import Article


def articles(corpus: dict, n: int) -> list[Article]:
    docs = list(corpus.values())
    out = []
    for i in range(n):
        a = to_article(docs[i % len(docs)])
        out.append(Article(id=f"{a.id}~{i // len(docs)}", title=a.title, text=a.text, outlet=a.outlet,
                           url=a.url, published=a.published))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/eval"))
    ap.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--cold", type=int, default=100,
                    help="also index this many articles with no cached vectors (indexing speed)")
    args = ap.parse_args()
    corpus, questions = load(args.data / "qa")
    disk = DiskVectorCache(CACHE_DIR / f"qa-minilm-{RUNTIME}.npz")
    embedder = CachedEmbedder(eval_embedder(), cache=disk.vectors)
    sample = random.Random(0).sample(questions, min(args.questions, len(questions)))
    results = []
    if args.cold:
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_store_engine(f"sqlite:///{tmp}/cold.db")
            migrate(engine)
            cold = CachedEmbedder(embedder.inner)  # an empty cache: every sentence is embedded
            fresh = [Article(id=f"cold-{a.id}", title=a.title, text=a.text, outlet=a.outlet, url=a.url,
                             published=a.published) for a in articles(corpus, args.cold)]
            cold.embed(["warm up"])
            t0, c0 = time.perf_counter(), time.process_time()
            AskIndex(engine, cold).add_articles(fresh)
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(json.dumps({"cold_articles": len(fresh), "articles_per_s": len(fresh) / took,
                              "articles_per_cpu_s": len(fresh) / cpu,
                              "passages_embedded": len(cold.cache) - 1, "load": os.getloadavg()[0]}),
                  flush=True)
            engine.dispose()
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
            embedder.embed([q["question"] for q in sample])  # questions embedded once, outside timing
            for mode in ("bm25", "hybrid"):
                ask(index, sample[0]["question"], mode=mode)  # warm the vector matrix
                times, cpus = [], []
                for q in sample:
                    t, c = time.perf_counter(), time.process_time()
                    ask(index, q["question"], mode=mode)
                    times.append(1000 * (time.perf_counter() - t))
                    cpus.append(1000 * (time.process_time() - c))
                # wall time on a shared machine includes waiting for a core: CPU time is reported too
                results.append({"articles": n, "mode": mode, "p50_ms": float(np.percentile(times, 50)),
                                "p95_ms": float(np.percentile(times, 95)),
                                "cpu_p50_ms": float(np.percentile(cpus, 50)),
                                "cpu_p95_ms": float(np.percentile(cpus, 95)), "index_build_s": build,
                                "load": os.getloadavg()[0]})
                print(json.dumps(results[-1]), flush=True)
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
