"""Ingest throughput: parse + clean + dedup + store, no models, over >= 1,000 local articles.

Reads articles from the shared eval data (never copied into the project), writes them to a temporary
JSON Lines file and ingests it into a fresh SQLite store. Beside the full pipeline, the same run times
its stages alone (parse only; parse + clean) so the cost of each is visible.

    python -m bench.ingest_bench [--data ../shared/eval] [--n 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import FLAT, Record, eval_records, write_jsonl
from bot.cli.evaluate import default_data_dir
from bot.ingestion import FileSource, RawItem
from bot.ingestion.dedup import content_fingerprint, minhash_signature
from bot.ingestion.pipeline import ingest
from bot.storage import open_store
from summarizer.cleaning import clean_text

TARGET = 200.0  # articles/s end to end


def measure(records: list[Record], progress: bool = False) -> dict[str, Any]:
    """Seconds and articles/s of each stage over `records`; `new`/`duplicate`/`skipped` counts."""
    with tempfile.TemporaryDirectory() as tmp:
        src = write_jsonl(Path(tmp) / "articles.jsonl", records)
        t0 = time.perf_counter()
        items = [i for i in FileSource(src).items() if isinstance(i, RawItem)]
        t_parse = time.perf_counter() - t0

        t0 = time.perf_counter()
        for item in items:
            cleaned = clean_text(item.text, title=item.title, fmt=item.format)
            content_fingerprint(cleaned.text)
            minhash_signature(cleaned.text)
        t_clean = time.perf_counter() - t0 + t_parse

        engine = open_store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        report = ingest(engine, [FileSource(src)], progress=progress)
        t_full = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(engine, [FileSource(src)], progress=False)
        t_again = time.perf_counter() - t0
        engine.dispose()
    n = len(items)
    stages = {"parse only (baseline)": t_parse, "parse + clean + fingerprints": t_clean,
              "full pipeline into SQLite": t_full, "re-ingest (all duplicates)": t_again}
    return {"articles": n, "new": report.count("new"), "duplicate": report.count("duplicate"),
            "skipped": len(report.skipped), "reingest_duplicate": again.count("duplicate"),
            "articles_per_s": n / t_full,
            "stages": {k: {"seconds": s, "per_second": n / s} for k, s in stages.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    result = measure(eval_records(args.data or default_data_dir(), args.n, FLAT), progress=True)
    print(f"ingest benchmark: {result['articles']} articles, {result['new']} new, {result['duplicate']} "
          f"duplicate, {result['skipped']} skipped; re-ingest {result['reingest_duplicate']} duplicate")
    print(f"{'stage':<32}{'seconds':>10}{'articles/s':>12}")
    for name, row in result["stages"].items():
        print(f"{name:<32}{row['seconds']:>10.2f}{row['per_second']:>12.0f}")
    met = result["articles_per_s"] >= TARGET
    print(f"target >= {TARGET:.0f} articles/s end to end: {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
