"""Summaries eval: ROUGE of our extractive digest beside lead-3 and LexRank-3 on Multi-News and NeuS.

The baselines are computed by the eval folder's own `baseline.py` (imported by path), so both sides
share its sentence splitter and scorer settings. Our digest runs with the baselines' budget
(3 sentences, no character limit) rather than the product default (4 sentences, 600 characters):
on Multi-News ROUGE F depends heavily on length, so only equal budgets compare.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bot.evaluation import CACHE_DIR, load_baseline
from bot.evaluation.report import Table
from summarizer.digest import DigestOptions, summarize_story
from summarizer.embeddings import Embedder
from summarizer.types import Article, Story

FILES = (("multinews.jsonl", "Multi-News"), ("neus.jsonl", "NeuS"))
METRICS = ("rouge1", "rouge2", "rougeLsum")
EVAL_OPTIONS = DigestOptions(max_sentences=3, max_chars=100_000, include_quotes=False)



def to_story(cluster: dict[str, Any]) -> Story:
    articles = tuple(Article(id=a["id"], title=a.get("title") or "", text=a["text"], outlet=a.get("outlet"))
                     for a in cluster["articles"] if a.get("text"))
    return Story(id=cluster["id"], articles=articles)


def score_file(path: Path, base: ModuleType, embedder: Embedder, limit: int | None = None,
               options: DigestOptions = EVAL_OPTIONS) -> dict[str, dict[str, float]]:
    """Mean ROUGE F x 100 and mean words per system (plus the references' words) over one file."""
    from rouge_score import rouge_scorer

    clusters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    clusters = clusters[:limit] if limit else clusters
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    acc: dict[str, dict[str, list[float]]] = {}
    ref_words: list[float] = []
    started = time.perf_counter()
    for cluster in clusters:
        reference = "\n".join(base.split_sents(cluster["summary"]))
        ref_words.append(base.nwords(cluster["summary"]))
        docs = [d for d in (base.split_sents(a["text"]) for a in cluster["articles"]) if d]
        digest = summarize_story(to_story(cluster), embedder, options=options)
        outputs = {
            "newsdigest": [s.text for s in digest.summary],
            "lead3_first": docs[0][:3] if docs else [],
            "lexrank_3": base.lexrank_select([s for d in docs for s in d], k=3),
        }
        for system, sents in outputs.items():
            scores = scorer.score(reference, "\n".join(sents))
            row = acc.setdefault(system, {m: [] for m in (*METRICS, "words", "sentences")})
            for m in METRICS:
                row[m].append(100 * scores[m].fmeasure)
            row["words"].append(sum(base.nwords(s) for s in sents))
            row["sentences"].append(len(sents))
    result = {system: {m: float(np.mean(v)) for m, v in row.items()} for system, row in acc.items()}
    result["reference"] = {"words": float(np.mean(ref_words)), "clusters": len(clusters),
                           "seconds": time.perf_counter() - started}
    return result


def run(data_dir: Path, embedder: Embedder | None = None, limit: int | None = None) -> list[Table]:
    """One table per file: ours, lead-3 and LexRank-3 (ROUGE-1/2/Lsum F, words), reference length."""
    folder = Path(data_dir) / "summaries"
    base = load_baseline(folder)
    if embedder is None:  # the product's default runtime
        from summarizer.embeddings import CachedEmbedder, load_embedder

        embedder = CachedEmbedder(load_embedder(cache_dir=CACHE_DIR / "onnx"))
    tables = []
    for filename, label in FILES:
        path = folder / filename
        if not path.exists():
            continue
        res = score_file(path, base, embedder, limit)
        ref = res.pop("reference")
        table = Table(title=f"summaries: {label} ({ref['clusters']} clusters)",
                      columns=["system", "R1", "R2", "RLsum", "words", "sentences"])
        for system, row in res.items():
            table.rows.append([system, row["rouge1"], row["rouge2"], row["rougeLsum"], row["words"],
                               row["sentences"]])
        table.rows.append(["reference", None, None, None, ref["words"], None])
        table.notes.append("budget: 3 sentences for every system, no character limit (the product default "
                           "is 4 sentences / 600 characters); rouge-score F x 100, Porter stemming, Lsum "
                           "with one sentence per line")
        table.notes.append("newsdigest never emits a cut-off sentence; a story with fewer than 2 complete "
                           "sentences gets its articles' headlines as stand-ins (NeuS has titles, Multi-News "
                           "none); the baselines use every sentence, cut-off ones included")
        table.notes.append(f"newsdigest digests in {ref['seconds']:.1f} s total (embedding included)")
        tables.append(table)
    return tables
