"""Digest speed on the seed story (five outlets): model load, cold and warm embedding cache.

Cold = the model is loaded but the content-hash cache is empty (a story seen for the first time);
warm = the same story again (a digest re-rendered, e.g. for another subscriber; embeddings and
per-article sentence candidates are then memoised). Also times sentence splitting alone, since it
runs on every ingested article, and the lead-3 and LexRank baselines (the summaries eval's
`baseline.py`) on the same story. Budgets: cold <= 0.5 s, warm <= 0.1 s. The median and the best
round are printed: on a machine shared with other work the best round shows what the code costs, the
median what a loaded machine gives.

    HF_HUB_OFFLINE=1 python -m bench.digest_bench [--repeat 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.cli.evaluate import default_data_dir
from bot.evaluation import load_baseline
from summarizer.digest import summarize_story
from summarizer.embeddings import CachedEmbedder, Embedder, TorchEmbedder
from summarizer.extractive import _article_candidates
from summarizer.sentences import split_sentences
from summarizer.types import Article, Story

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BUDGET_COLD, BUDGET_WARM = 0.5, 0.1


class Recorder:
    """Passes texts to the model and remembers them, to time the embedding share on its own."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.dim, self.texts = inner, inner.dim, list[str]()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def seed_story() -> Story:
    articles = tuple(Article(id=p.stem, title="", text=p.read_text(encoding="utf-8"))
                     for p in sorted(SEEDS.glob("*.txt")))
    return Story(id="seeds", articles=articles)


def _rounds(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def measure(model: Embedder, repeat: int = 5) -> dict[str, Any]:
    """Cold / warm digest seconds (median and best of `repeat`) of the seed story with `model`."""
    story = seed_story()
    model.embed(["warm-up sentence for the thread pool."])
    split_sentences(story.articles[0].text)
    started = time.perf_counter()
    n_sentences = sum(len(split_sentences(a.text, a.id)) for a in story.articles)
    split_s = time.perf_counter() - started

    cold, warm, embedded, n_summary = [], [], 0, 0
    for _ in range(repeat):
        embedder = CachedEmbedder(model)
        _article_candidates.cache_clear()  # cold: sentence splitting included too
        started = time.perf_counter()
        n_summary = len(summarize_story(story, embedder).summary)
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
    return {
        "articles": len(story.articles), "sentences": n_sentences,
        "split_s": split_s, "split_ms_per_article": 1000 * split_s / len(story.articles),
        "cold_s": statistics.median(cold), "warm_s": statistics.median(warm),
        "cold_best_s": min(cold), "warm_best_s": min(warm),
        "sentences_embedded_cold": embedded, "embed_only_s": embed_s, "summary_sentences": n_summary,
    }


def baselines(base: ModuleType, repeat: int = 5) -> dict[str, float]:
    """Median seconds of lead-3 and LexRank-3 (the eval's own implementations) on the seed story."""
    story = seed_story()

    def lead3() -> list[str]:
        return list(base.split_sents(story.articles[0].text)[:3])

    def lexrank() -> list[str]:
        return list(base.lexrank_select([s for a in story.articles for s in base.split_sents(a.text)], k=3))

    return {"lead3_s": statistics.median(_rounds(lead3, repeat)),
            "lexrank_s": statistics.median(_rounds(lexrank, repeat))}


def rouge(data: Path, model: Embedder, clusters: int) -> dict[str, float]:
    """ROUGE-1 F x 100 of ours, lead-3 and LexRank-3 on the first `clusters` NeuS clusters (the
    summaries eval's own scoring; `newsdigest eval --task summaries` gives the full sets)."""
    from bot.evaluation.summaries import score_file

    folder = data / "summaries"
    res = score_file(folder / "neus.jsonl", load_baseline(folder), CachedEmbedder(model), limit=clusters)
    return {system: res[system]["rouge1"] for system in ("newsdigest", "lead3_first", "lexrank_3")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="cold/warm rounds (median reported)")
    ap.add_argument("--data", type=Path, default=None, help="eval data (for the baselines)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    model = TorchEmbedder()
    load_s = time.perf_counter() - started
    result = {"model_load_s": load_s, **measure(model, args.repeat),
              **baselines(load_baseline((args.data or default_data_dir()) / "summaries"), args.repeat)}
    print(f"model load            {load_s:7.2f} s")
    print(f"sentence split        {result['split_ms_per_article']:7.1f} ms/article "
          f"({result['sentences']} sentences)")
    print(f"digest, cold cache    {result['cold_s']:7.3f} s median, {result['cold_best_s']:.3f} s best of "
          f"{args.repeat} ({result['sentences_embedded_cold']} sentences embedded)   budget {BUDGET_COLD} s")
    print(f"  of which embedding  {result['embed_only_s']:7.3f} s (the same texts, model alone)")
    print(f"digest, warm cache    {result['warm_s']:7.3f} s median, {result['warm_best_s']:.3f} s best   "
          f"budget {BUDGET_WARM} s")
    print(f"lead-3 / LexRank-3    {result['lead3_s']:7.4f} s / {result['lexrank_s']:.4f} s median")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0 if result["cold_s"] <= BUDGET_COLD and result["warm_s"] <= BUDGET_WARM else 1


if __name__ == "__main__":
    sys.exit(main())
