"""`newsdigest bench`: every benchmark in one run, with baselines beside ours and targets marked.

Sections (each a key of the result; one that fails records its error under `errors` and the rest go
on): ingest throughput, digest latency of the 5-article seed story (cold / warm cache; lead-3 and
LexRank beside), the 1,000 / 10,000 article pipeline (ingest + stories + /ask index) with /ask latency
on each store (hybrid beside BM25-only) and the /ask indexing rate with the real model, the peak RSS
of `run` on the large store, and the delivery fan-out rate against the limit of a fake Bot API.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench import ask_bench, corpus, digest_bench, ingest_bench, memory, scaling
from bot.ask import AskIndex
from bot.config import Config
from bot.embedding_store import StoreCachedEmbedder
from bot.evaluation.qa import load
from summarizer.embeddings import CachedEmbedder, Embedder, load_embedder

SECTIONS = ("ingest", "digest", "scaling", "memory", "fanout")
FANOUT_SHARE = 0.95


@dataclass(frozen=True)
class Plan:
    """How big each part is: `full()` for the real figures, `quick()` for a smoke run."""

    ingest: int = 2000
    repeat: int = 5
    sizes: tuple[int, int] = (1000, 10_000)
    questions: int = 200
    rouge_clusters: int = 10
    chats: int = 2000
    limit: int = 300
    model_sample: int = 160
    warm_up: int = 100
    cold: int = 200

    @classmethod
    def quick(cls) -> Plan:
        return cls(ingest=100, repeat=1, sizes=(20, 200), questions=10, rouge_clusters=0, chats=300,
                   model_sample=16, warm_up=10, cold=10)


def _model(config: Config) -> Embedder:
    m = config.models
    return load_embedder(m.embedding, m.device, m.runtime, config.store.data_dir / "models")


def _digest(data: Path, model: Embedder, plan: Plan) -> dict[str, Any]:
    from bot.evaluation import load_baseline

    out = {**digest_bench.measure(model, plan.repeat),
           **digest_bench.baselines(load_baseline(data / "summaries"), plan.repeat)}
    if plan.rouge_clusters:
        out["rouge1_neus"] = {"clusters": plan.rouge_clusters,
                              **digest_bench.rouge(data, model, plan.rouge_clusters)}
    return out


def _scaling(data: Path, config: Config, model: Embedder, plan: Plan, tmp: Path,
             progress: bool) -> tuple[dict[str, Any], Path]:
    """Both sizes through the pipeline (the small one before and after the large one), /ask latency on
    each store; returns the large store's path."""
    records = corpus.stream(corpus.eval_records(data), plan.sizes[1] + plan.warm_up)
    # a throwaway run over records neither size sees: the small size must not carry the process's
    # one-time costs (imports, compiled patterns, statement caches) that the large one then skips
    warm, records = records[plan.sizes[1] :], records[: plan.sizes[1]]
    engine, _ = scaling.build(warm, tmp / "warm-up.db", config, scaling.StandIn(),
                              batch=max(1, len(warm) // 2))
    engine.dispose()
    qs = ask_bench.questions(data, plan.questions)
    cached = CachedEmbedder(model)
    started = time.perf_counter()
    cached.embed(qs)  # the questions' vectors, so latency times search + answer only
    question_ms = 1000 * (time.perf_counter() - started) / len(qs)
    runs: dict[str, Any] = {}
    sample: list[str] = []
    db = tmp
    for n in plan.sizes:
        standin = scaling.StandIn(every=max(1, n // 40), keep=plan.model_sample)
        db = tmp / f"scale-{n}.db"
        with tqdm(total=n, desc=f"pipeline {n}", unit="article", file=sys.stderr, disable=not progress,
                  leave=False) as bar:
            engine, run = scaling.build(records[:n], db, config, standin, bar=bar)
        # the store's vectors (titles) behind the question vectors, as the bot's embedder has them
        store = StoreCachedEmbedder(engine, config.models, inner=cached)
        store.embed(qs)
        run["ask"] = ask_bench.latency(AskIndex(engine, store), qs)
        engine.dispose()
        runs[str(n)] = run
        sample = standin.sample
    # the small size again after the large one (A-B-A): the mean of its two runs brackets the large
    # run in time, so a machine that speeds up or slows down over the minutes does not skew the ratio
    n = plan.sizes[0]
    engine, again = scaling.build(records[:n], tmp / f"scale-{n}-again.db", config, scaling.StandIn())
    engine.dispose()
    runs[str(n)] = scaling.averaged(runs[str(n)], again)
    rate = scaling.model_rate(model, sample)
    small, large = (runs[str(n)] for n in plan.sizes)
    fresh = ask_bench.articles(load(data / "qa")[0], plan.cold)  # with the real model, nothing cached
    return {"sizes": runs, "question_embed_ms": question_ms, "model_texts_per_s": rate,
            "ratio": scaling.ratio(small, large, rate),
            "indexing": ask_bench.cold_indexing(fresh, model)}, db


def _fanout(plan: Plan) -> dict[str, Any]:
    from bench import fanout_bench

    with contextlib.redirect_stdout(sys.stderr):  # its progress lines; the figures come back as a dict
        return fanout_bench.run_fanout(chats=plan.chats, limit=plan.limit, mode="single")


def run_all(data: Path, config: Config, plan: Plan, skip: tuple[str, ...] = (),
            progress: bool = True) -> dict[str, Any]:
    """Every section not in `skip`; figures as plain JSON types."""
    result: dict[str, Any] = {"quick": plan == Plan.quick(), "data": str(data), "plan": plan.__dict__,
                              "started": datetime.now(UTC).isoformat(timespec="seconds"),
                              "cpus": os.cpu_count(), "load_average_start": os.getloadavg()[0],
                              "errors": {}}
    started = time.perf_counter()
    todo = [s for s in SECTIONS if s not in skip]
    steps = tqdm(todo, desc="bench", unit="part", file=sys.stderr, disable=not progress)
    model: Embedder | None = None
    large_db: Path | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for section in steps:
            steps.set_postfix_str(section)
            try:
                if section == "ingest":
                    records = corpus.eval_records(data, plan.ingest, corpus.FLAT)
                    result["ingest"] = ingest_bench.measure(records, progress=progress)
                    continue
                if section == "fanout":
                    result["fanout"] = _fanout(plan)
                    continue
                if model is None:
                    t = time.perf_counter()
                    model = _model(config)
                    result["model_load_s"] = time.perf_counter() - t
                if section == "digest":
                    result["digest"] = _digest(data, model, plan)
                elif section == "scaling":
                    result["scaling"], large_db = _scaling(data, config, model, plan, Path(tmp), progress)
                elif section == "memory":
                    if large_db is None:
                        raise RuntimeError("needs the scaling section's large store")
                    result["memory"] = {"articles": plan.sizes[1], **memory.measure(
                        large_db, config, ask_bench.questions(data, 1)[0])}
            except Exception as exc:  # one broken part must not lose the others' figures
                result["errors"][section] = f"{type(exc).__name__}: {exc}"
    result["seconds"] = time.perf_counter() - started
    result["load_average_end"] = os.getloadavg()[0]
    result["targets"] = targets(result)
    return result


def _target(name: str, value: float | None, op: str, bound: float, unit: str) -> dict[str, Any]:
    met = None if value is None else (value <= bound if op == "<=" else value >= bound)
    return {"name": name, "value": value, "op": op, "target": bound, "unit": unit, "pass": met}


def _get(result: dict[str, Any], *keys: str | int) -> Any:
    node: Any = result
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets beside the measured values (`pass` None when the part did not run)."""
    large = str(_get(result, "plan", "sizes", 1))
    hybrid = [r for r in _get(result, "scaling", "sizes", large, "ask") or [] if r["mode"] == "hybrid"]
    fan = result.get("fanout") or {}
    # a short run (--quick) has no steady state past its first and last 2 s: the overall rate stands in
    share = fan.get("steady_share_of_limit") or (fan["throughput"] / fan["limit"] if fan else None)
    return [
        _target("ingest throughput", _get(result, "ingest", "articles_per_s"), ">=", ingest_bench.TARGET,
                "articles/s"),
        _target("digest, cold cache", _get(result, "digest", "cold_s"), "<=", digest_bench.BUDGET_COLD, "s"),
        _target("digest, warm cache", _get(result, "digest", "warm_s"), "<=", digest_bench.BUDGET_WARM, "s"),
        _target(f"/ask p95 at {large} articles", hybrid[0]["p95_ms"] if hybrid else None, "<=",
                ask_bench.TARGET_P95_MS, "ms"),
        _target("/ask indexing, with model", _get(result, "scaling", "indexing", "articles_per_s"), ">=",
                ask_bench.TARGET_INDEX_RATE, "articles/s"),
        _target("peak RSS of run", _get(result, "memory", "peak_rss_mb"), "<=", memory.TARGET_MB, "MB"),
        _target("fan-out share of limit", share, ">=", FANOUT_SHARE, "x limit"),
        _target("time ratio large / small", _get(result, "scaling", "ratio", "pipeline"), "<=",
                scaling.TARGET_RATIO, "x"),
    ]
