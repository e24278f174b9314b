"""Digest speed on the seed story (five outlets): model load, cold and warm embedding cache.

Cold = the model is loaded but the content-hash cache is empty (a story seen for the first time);
warm = the same story again (a digest re-rendered, e.g. for another subscriber; embeddings and
per-article sentence candidates are then memoised). Also times sentence
splitting alone, since it runs on every ingested article. Budgets: cold <= 0.5 s, warm <= 0.1 s.
The median and the best round are printed: on a machine shared with other work the best round shows
what the code costs, the median what a loaded machine gives.

    HF_HUB_OFFLINE=1 python bench/digest_bench.py [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from summarizer.digest import summarize_story
from summarizer.embeddings import CachedEmbedder, TorchEmbedder
from summarizer.extractive import _article_candidates
from summarizer.sentences import split_sentences
from summarizer.types import Article, Story

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class Recorder:
    """Passes texts to the model and remembers them, to time the embedding share on its own."""

    def __init__(self, inner: TorchEmbedder) -> None:
        self.inner, self.dim, self.texts = inner, inner.dim, list[str]()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def seed_story() -> Story:
    articles = tuple(Article(id=p.stem, title="", text=p.read_text(encoding="utf-8"))
                     for p in sorted(SEEDS.glob("*.txt")))
    return Story(id="seeds", articles=articles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="cold/warm rounds (median reported)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    story = seed_story()
    started = time.perf_counter()
    model = TorchEmbedder()
    load_s = time.perf_counter() - started
    model.embed(["warm-up sentence for the thread pool."])

    split_sentences(story.articles[0].text)
    started = time.perf_counter()
    n_sentences = sum(len(split_sentences(a.text, a.id)) for a in story.articles)
    split_s = time.perf_counter() - started

    cold, warm, embedded = [], [], 0
    for _ in range(args.repeat):
        embedder = CachedEmbedder(model)
        _article_candidates.cache_clear()  # cold: sentence splitting included too
        started = time.perf_counter()
        digest = summarize_story(story, embedder)
        cold.append(time.perf_counter() - started)
        embedded = len(embedder.cache)
        started = time.perf_counter()
        summarize_story(story, embedder)
        warm.append(time.perf_counter() - started)

    recorder = Recorder(model)
    summarize_story(story, CachedEmbedder(recorder))
    started = time.perf_counter()
    model.embed(recorder.texts)
    embed_s = time.perf_counter() - started

    result = {
        "articles": len(story.articles), "sentences": n_sentences, "model_load_s": load_s,
        "split_s": split_s, "split_ms_per_article": 1000 * split_s / len(story.articles),
        "cold_s": statistics.median(cold), "warm_s": statistics.median(warm),
        "cold_best_s": min(cold), "warm_best_s": min(warm),
        "sentences_embedded_cold": embedded, "embed_only_s": embed_s,
        "summary_sentences": len(digest.summary),
    }
    print(f"model load            {load_s:7.2f} s")
    print(f"sentence split        {result['split_ms_per_article']:7.1f} ms/article ({n_sentences} sentences)")
    print(f"digest, cold cache    {result['cold_s']:7.3f} s median, {result['cold_best_s']:.3f} s best of "
          f"{args.repeat} ({embedded} sentences embedded)   budget 0.5 s")
    print(f"  of which embedding  {embed_s:7.3f} s (the same {len(recorder.texts)} texts, model alone)")
    print(f"digest, warm cache    {result['warm_s']:7.3f} s median, {result['warm_best_s']:.3f} s best   "
          f"budget 0.1 s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0 if result["cold_s"] <= 0.5 and result["warm_s"] <= 0.1 else 1


if __name__ == "__main__":
    sys.exit(main())
