"""/ask eval on `qa/`: grounded answers and refusals, hybrid retrieval beside BM25-only and dense-only.

Every question searches only its `scope` through the in-memory path (`summarizer.retrieval`), then
`summarizer.answers.build_answer` answers or refuses. Scored with the eval folder's own normaliser
(its `baseline.py`, imported by path, which also supplies the BM25 baseline rows):
- short: the normalised gold answer occurs in the short answer (the typed span, or the best sentence
  for questions without a span type);
- ans+3: ... in the short answer plus the first three cited snippets;
- TRR / FRR: unanswerable questions refused / answerable questions refused;
- R@5: an evidence article among the first five distinct articles retrieved.
Sentence vectors (passage vectors are their means, as in the bot) are cached on disk (content-hash keys)
so only the first run pays for embedding.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import numpy as np

from bot.evaluation import CACHE_DIR, load_baseline
from bot.evaluation.report import Table
from summarizer.answers import AnswerOptions, build_answer, signals
from summarizer.embeddings import DEFAULT_RUNTIME, CachedEmbedder, Embedder, Runtime, load_embedder
from summarizer.passages import Passage, make_passages, passage_vectors, title_vectors
from summarizer.retrieval import MemoryIndex, Mode
from summarizer.types import Article

SOURCES = ("realtimeqa", "quail")
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
# the product's default runtime; vectors of different runtimes never share a cache file
RUNTIME: Runtime = DEFAULT_RUNTIME
K = 30  # retrieved passages (R@5 needs depth); the answerer looks at the first few
# sentence and question vectors as the bot computes them (batches of 16 by token count, 256 tokens: int8
# vectors depend slightly on their batch, so the eval uses the product's settings in a file of their own)
VECTORS = CACHE_DIR / f"qa-minilm-{RUNTIME}-t16-sentences.npz"


class DiskVectorCache:
    """Vectors by content hash in one .npz file, saved every few chunks so an interrupted run resumes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="U32")
        vecs = np.stack(list(self.vectors.values())).astype(np.float32) if self.vectors else np.zeros((0, 0))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vecs)
        tmp.replace(self.path)

    def embed(self, embedder: Embedder | None, texts: Sequence[str], chunk: int = 256) -> np.ndarray:
        """Vectors for `texts`, embedding (with a progress bar on stderr) only the ones not cached."""
        from tqdm import tqdm

        keys = [CachedEmbedder.key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if todo and embedder is None:
            embedder = eval_embedder()
        first = dict(zip(keys, texts, strict=True))
        with tqdm(total=len(todo), desc="embedding", unit="text", file=sys.stderr, disable=not todo) as bar:
            for n, lo in enumerate(range(0, len(todo), chunk)):
                part = todo[lo : lo + chunk]
                assert embedder is not None
                self.vectors.update(zip(part, embedder.embed([first[k] for k in part]), strict=True))
                bar.update(len(part))
                if n % 8 == 7:
                    self.save()
        if todo:
            self.save()
        if not keys:
            return np.zeros((0, 0), np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def over(self, embedder: Embedder | None) -> Embedder:
        """This cache as an `Embedder` (the model, loaded only if a text is missing, behind it)."""
        return _DiskEmbedder(self, embedder)


class _DiskEmbedder:
    def __init__(self, cache: DiskVectorCache, embedder: Embedder | None) -> None:
        self.cache, self.model = cache, embedder

    @property
    def dim(self) -> int:
        known = next(iter(self.cache.vectors.values()), None)
        return int(known.shape[0]) if known is not None else (self.model or eval_embedder()).dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(self.model, texts)


def eval_embedder(runtime: Runtime = RUNTIME) -> Embedder:
    """The product's embedder (default model, batch size and length) on `runtime`, exported under
    `CACHE_DIR/onnx`: the eval scores the vectors the bot would compute."""
    return load_embedder(runtime=runtime, cache_dir=CACHE_DIR / "onnx")


def to_article(doc: dict[str, Any]) -> Article:
    """A corpus document as an `Article`; the outlet is the URL's host (the corpus has no outlet)."""
    url = doc.get("url")
    host = urlparse(url).netloc.removeprefix("www.") if url else None
    published = None
    if doc.get("date"):
        try:
            published = datetime.strptime(doc["date"], "%Y/%m/%d")
        except ValueError:
            published = None
    return Article(id=doc["id"], title=doc.get("title") or "", text=doc["text"], outlet=host or doc["source"],
                   url=url, published=published)


def load(folder: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    corpus = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            corpus[doc["id"]] = doc
    with (folder / "questions.jsonl").open(encoding="utf-8") as f:
        questions = [json.loads(line) for line in f if line.strip()]
    return corpus, questions


def build_index(corpus: dict[str, dict[str, Any]], cache: DiskVectorCache,
                embedder: Embedder | None) -> MemoryIndex:
    passages: list[Passage] = []
    for doc in corpus.values():
        passages += make_passages(to_article(doc))
    model = cache.over(embedder)
    return MemoryIndex(passages, passage_vectors(passages, model), title_vectors(passages, model))


def indexed(corpus: dict[str, dict[str, Any]], questions: Sequence[dict[str, Any]],
            embedder: Embedder | None) -> tuple[MemoryIndex, np.ndarray]:
    """The corpus's passage index and the questions' vectors, from the vector file (`VECTORS`),
    embedding only what it lacks."""
    cache = DiskVectorCache(VECTORS)
    index = build_index(corpus, cache, embedder)
    return index, cache.embed(embedder, [q["question"] for q in questions])


def score_questions(index: MemoryIndex, questions: Sequence[dict[str, Any]], qvecs: np.ndarray,
                    base: ModuleType, mode: Mode, options: AnswerOptions | None = None
                    ) -> list[dict[str, Any]]:
    """One record per question: retrieval hit, gold in short answer / answer + 3 snippets, the
    answerer's confidence. Answers are built as if never refused (threshold below any confidence),
    so `summarise` can score the product threshold and each mode's own operating point alike."""
    options = options or AnswerOptions()
    always = replace(options, threshold=-1.0)
    records = []
    for q, qvec in zip(questions, qvecs, strict=True):
        hits = index.search(q["question"], qvec, scope=set(q["scope"]), k=K, mode=mode)
        g = build_answer(q["question"], hits, always)
        sig = signals(hits, g.evidence)
        docs: list[str] = []
        for h in hits:
            if h.passage.article_id not in docs:
                docs.append(h.passage.article_id)
        text3 = " \n ".join([g.short, *(c.snippet for c in g.citations[:3])])
        gold = q["answers"]
        records.append({
            "source": q["source"], "answerable": q["answerable"], "has_hits": bool(hits),
            "confidence": 2.0 if g.quoted or g.described else g.confidence,  # never refused
            "r5": bool(set(q["evidence"]) & set(docs[:5])),
            "short": bool(hits) and any(base.contains(g.short, a) for a in gold),
            "ans3": bool(hits) and any(base.contains(text3, a) for a in gold),
            "qtype": g.qtype, "group": q.get("week") or q["scope"][0],
            "signals": [float(getattr(sig, name)) for name, _ in options.confidence],
            "gated": g.quoted or g.described or not hits or sig.predicate == 0.0,  # decided outside the model
        })
    return records


def frr_threshold(records: Sequence[dict[str, Any]], frr: float = 0.10) -> float:
    """The confidence threshold that refuses `frr` of the answerable questions (a mode's own
    operating point, so retrievers are compared at the same false-refusal rate)."""
    conf = sorted(r["confidence"] for r in records if r["answerable"])
    return conf[int(frr * len(conf))] if conf else 0.0


def cross_validated_refusal(records: Sequence[dict[str, Any]], folds: int = 5) -> dict[str, float]:
    """The confidence model refitted on 4/5 of the weeks (QuAIL: texts) and scored on the rest, its
    threshold refusing 10% of the answerable questions out of fold: checks that the product's
    weights, fitted on all of the dev half, do not owe their TRR to fitting it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    x = np.array([r["signals"] for r in records])
    y = np.array([r["answerable"] for r in records])
    prob = np.zeros(len(records))
    for train, test in GroupKFold(folds).split(x, y, [r["group"] for r in records]):
        prob[test] = LogisticRegression(max_iter=3000).fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    out = [dict(r, confidence=r["confidence"] if r["gated"] else float(p))
           for r, p in zip(records, prob, strict=True)]
    return summarise(out, frr_threshold(out))


def summarise(records: Sequence[dict[str, Any]], threshold: float) -> dict[str, float]:
    """Scores with refusal below `threshold`; a refused question scores 0 for short and ans+3."""
    ans = [r for r in records if r["answerable"]]
    un = [r for r in records if not r["answerable"]]

    def refused(r: dict[str, Any]) -> bool:
        return not r["has_hits"] or r["confidence"] < threshold

    n = max(len(ans), 1)
    return {"n_ans": len(ans), "n_un": len(un), "R@5": sum(r["r5"] for r in ans) / n,
            "short": sum(r["short"] and not refused(r) for r in ans) / n,
            "ans+3": sum(r["ans3"] and not refused(r) for r in ans) / n,
            "TRR": sum(refused(r) for r in un) / max(len(un), 1),
            "FRR": sum(refused(r) for r in ans) / n}


def baseline_rows(base: ModuleType, folder: Path) -> list[list[Any]]:
    """The BM25 baseline exactly as `baseline.py` computes it (its own dev thresholds)."""
    corpus, qs = base.load(str(folder))
    rows = base.run(corpus, qs)
    rows["all"] = rows["realtimeqa"] + rows["quail"]
    out = []
    for s in (*SOURCES, "all"):
        m = base.metrics(rows[s])
        if s == "all":
            refusals = [base.refusal(rows[k], base.DEV_THRESHOLDS[k]) for k in SOURCES]
            nu = [m2["n_unans"] for m2 in (base.metrics(rows[k]) for k in SOURCES)]
            na = [m2["n_ans"] for m2 in (base.metrics(rows[k]) for k in SOURCES)]
            trr = sum(r[0] * n for r, n in zip(refusals, nu, strict=True)) / max(sum(nu), 1)
            frr = sum(r[1] * n for r, n in zip(refusals, na, strict=True)) / max(sum(na), 1)
        else:
            trr, frr = base.refusal(rows[s], base.DEV_THRESHOLDS[s])
        out.append([s, "baseline bm25 (ans@1 / ans@3)", m["n_ans"], m["n_unans"], m["R@5"], m["ans@1"],
                    m["ans@3"], trr, frr, "", ""])
    return out


def run(data_dir: Path, embedder: Embedder | None = None, limit: int | None = None,
        modes: Sequence[Mode] = MODES, with_baseline: bool = True) -> list[Table]:
    """Score /ask on `data_dir/qa` (hybrid, BM25-only, dense-only) beside the BM25 baseline."""
    folder = data_dir / "qa"
    base = load_baseline(folder)
    corpus, questions = load(folder)
    questions = questions[:limit] if limit else questions
    started = time.perf_counter()
    index, qvecs = indexed(corpus, questions, embedder)
    built = time.perf_counter() - started
    table = Table(f"qa: /ask answers and refusals (dev half; k={K} passages, 3 citations)",
                  ["source", "retrieval", "n_ans", "n_un", "R@5", "short", "ans+3", "TRR", "FRR",
                   "ans+3@.10", "TRR@.10"])
    product = AnswerOptions().threshold
    timings = []
    for mode in modes:
        t0 = time.perf_counter()
        records = score_questions(index, questions, qvecs, base, mode)
        timings.append(f"{mode} {1000 * (time.perf_counter() - t0) / max(len(questions), 1):.1f} ms/q")
        own = frr_threshold(records)
        if mode == "hybrid" and not limit:
            cv = cross_validated_refusal(records)
            table.notes.append(f"refusal model, 5-fold cross-validation by week (hybrid): "
                               f"TRR {cv['TRR']:.3f} at FRR {cv['FRR']:.3f}, ans+3 {cv['ans+3']:.3f}")
        for s in (*SOURCES, "all"):
            part = [r for r in records if s == "all" or r["source"] == s]
            m, at10 = summarise(part, product), summarise(part, own)
            table.rows.append([s, mode, m["n_ans"], m["n_un"], m["R@5"], m["short"], m["ans+3"], m["TRR"],
                               m["FRR"], at10["ans+3"], at10["TRR"]])
    if with_baseline and not limit:
        table.rows += baseline_rows(base, folder)
    table.notes += [
        "short: gold in the short answer (typed span; best sentence when the question has no span type)",
        "ans+3: gold in the short answer plus the first 3 cited snippets; a refusal scores 0",
        "baseline rows: baseline.py's BM25 passages (ans@1 in 'short', ans@3 in 'ans+3'), its dev thresholds",
        "TRR / FRR: the product's confidence threshold (fitted on hybrid retrieval); @.10: each retrieval "
        "mode at its own threshold refusing 10% of all answerable dev questions (same-FRR comparison)",
        f"index build {built:.1f}s ({len(index.passages)} passages); answering: {', '.join(timings)}",
    ]
    return [table]
