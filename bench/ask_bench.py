"""/ask latency: p50 / p95 of search + answer over N stored articles, BM25-only beside hybrid.

Articles are synthesised from the qa eval corpus (repeated with fresh ids past its 4,045 documents, so
their passage vectors come from the eval's disk cache and only uncached texts are embedded). Runs on a
throwaway SQLite file (FTS5) unless --url is given.

    HF_HUB_OFFLINE=1 nice .venv/bin/python bench/ask_bench.py --articles 1000 10000 --questions 200
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ask import AskIndex, ask
from bot.evaluation.qa import CACHE_DIR, DiskVectorCache, load, to_article
from summarizer.embeddings import CachedEmbedder, TorchEmbedder
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
    args = ap.parse_args()
    corpus, questions = load(args.data / "qa")
    disk = DiskVectorCache(CACHE_DIR / "qa-minilm.npz")
    embedder = CachedEmbedder(TorchEmbedder(batch_size=64, max_length=128), cache=disk.vectors)
    sample = random.Random(0).sample(questions, min(args.questions, len(questions)))
    results = []
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_engine(args.url or f"sqlite:///{tmp}/ask.db")
            index = AskIndex(engine, embedder, prefix=f"bench{n}_")
            t0 = time.perf_counter()
            index.add_articles(articles(corpus, n))
            build = time.perf_counter() - t0
            embedder.embed([q["question"] for q in sample])  # questions embedded once, outside timing
            for mode in ("bm25", "hybrid"):
                ask(index, sample[0]["question"], mode=mode)  # warm the vector matrix
                times = []
                for q in sample:
                    t = time.perf_counter()
                    ask(index, q["question"], mode=mode)
                    times.append(1000 * (time.perf_counter() - t))
                results.append({"articles": n, "mode": mode, "p50_ms": float(np.percentile(times, 50)),
                                "p95_ms": float(np.percentile(times, 95)), "index_build_s": build})
                print(json.dumps(results[-1]), flush=True)
            index.drop()
            engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
