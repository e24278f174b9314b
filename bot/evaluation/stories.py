"""Stories eval: B-cubed P/R/F1 and ARI of our incremental clusterer beside the TF-IDF baseline.

Each file (ECB+, NeuS) is one clustering problem. Our clusterer gets the whole file as one batch of
arrivals, as the bot gets a fetch (the data has no publication dates, so no time window applies;
batch clustering does not depend on the order of the batch); the
baseline is the eval folder's own agglomerative TF-IDF clustering, computed by its `baseline.py`
(imported by path) with the same scorer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.evaluation import CACHE_DIR, load_baseline
from bot.evaluation.report import Table
from summarizer.embeddings import DEFAULT_RUNTIME, CachedEmbedder, Embedder, load_embedder
from summarizer.stories import ClusterSettings, StoryClusterer
from summarizer.types import Article

FILES = (("ecbplus", "ECB+"), ("neus", "NeuS"))
COLUMNS = ["system", "pred", "gold", "B3-P", "B3-R", "B3-F1", "ARI", "seconds"]



def to_article(row: dict[str, Any]) -> Article:
    """Only what a news bot would have: the gold `story` and `topic` never reach the clusterer."""
    return Article(id=row["id"], title=row.get("title") or "", text=row["text"])


def cluster_rows(rows: Sequence[dict[str, Any]], embedder: Embedder,
                 settings: ClusterSettings | None = None) -> list[str]:
    """Predicted story id per row: the rows arrive as one batch, as a fetch does in the bot."""
    clusterer = StoryClusterer(embedder, settings=settings)
    return clusterer.add_many([to_article(r) for r in rows])


def _row(system: str, scores: dict[str, Any], gold: int, seconds: float | None) -> list[Any]:
    return [system, scores["k"], gold, scores["P"], scores["R"], scores["F1"], scores["ARI"], seconds]


def run(data_dir: Path, runtimes: Sequence[str] = (DEFAULT_RUNTIME, "torch"),
        embedders: dict[str, Embedder] | None = None, settings: ClusterSettings | None = None,
        cache_dir: Path | None = None) -> list[Table]:
    """One table per file: baselines (singletons, TF-IDF agglomerative) and ours per embedding runtime."""
    folder = Path(data_dir) / "stories"
    base = load_baseline(folder)
    settings = settings or ClusterSettings()
    embedders = dict(embedders or {})
    tables = []
    for name, label in FILES:
        path = folder / f"{name}.jsonl"
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        gold = [r["story"] for r in rows]
        n_gold = len(set(gold))
        table = Table(title=f"stories: {label} ({len(rows)} documents, {n_gold} gold stories)",
                      columns=COLUMNS)
        table.rows.append(_row("all singletons", base.scores(gold, list(range(len(rows)))), n_gold, None))
        threshold = base.DEV_THRESHOLD[name]
        started = time.perf_counter()
        pred = base.agglo(base.tfidf_dist(rows), threshold)
        table.rows.append(_row(f"tfidf+agglo (t={threshold})", base.scores(gold, list(pred)), n_gold,
                               time.perf_counter() - started))
        for runtime in runtimes:
            if runtime not in embedders:
                embedders[runtime] = CachedEmbedder(load_embedder(runtime=runtime,  # type: ignore[arg-type]
                                                                  cache_dir=cache_dir or CACHE_DIR / "onnx"))
            started = time.perf_counter()
            pred_ids = cluster_rows(rows, embedders[runtime], settings)
            role = "default" if runtime == DEFAULT_RUNTIME else "reference" if runtime == "torch" else ""
            system = f"newsdigest ({runtime}{', ' + role if role else ''})"
            table.rows.append(_row(system, base.scores(gold, pred_ids), n_gold,
                                   time.perf_counter() - started))
        table.notes.append(
            f"ours: one batch, average-linkage agglomerative clustering on {settings.semantic:g} x "
            f"embedding cosine + {1 - settings.semantic - settings.words:g} x TF-IDF cosine of "
            f"names/numbers/content words + {settings.words:g} x plain-word TF-IDF cosine (IDF from "
            f"the stream), minus {settings.hub:g} x the pair's mean hub score (average "
            f"similarity to its {settings.hub_k} nearest neighbours, CSLS); merge while the average link "
            f">= {settings.join:g}; independent of arrival order within a batch; no dates in this data, "
            "so no time window")
        table.notes.append("seconds include embedding (first use of a runtime) and clustering")
        tables.append(table)
    return tables
