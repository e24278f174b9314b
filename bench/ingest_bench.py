"""Ingest throughput: parse + clean + dedup + store, no models, over >= 1,000 local articles.

Reads articles from the shared eval data (never copied into the project), writes them to a temporary
JSON Lines file and ingests it into a fresh SQLite store. Beside the full pipeline, the same run times
its stages alone (parse only; parse + clean) so the cost of each is visible.

    python bench/ingest_bench.py [--data ../shared/eval] [--n 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bot.cli.evaluate import default_data_dir
from bot.ingestion import FileSource, RawItem
from bot.ingestion.dedup import content_fingerprint, minhash_signature
from bot.ingestion.pipeline import ingest
from bot.storage import open_store
from summarizer.cleaning import clean_text


def load_records(data: Path, n: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for name in ("qa/corpus.jsonl", "quotes/articles.jsonl"):
        with (data / name).open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                records.append({"id": rec["id"], "title": rec.get("title"), "text": rec["text"],
                                "outlet": rec.get("outlet"), "url": rec.get("url"),
                                "published": rec.get("date")})
                if len(records) >= n:
                    return records
    return records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    records = load_records(args.data or default_data_dir(), args.n)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

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
        report = ingest(engine, [FileSource(src)], progress=True)
        t_full = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(engine, [FileSource(src)], progress=False)
        t_again = time.perf_counter() - t0
        engine.dispose()

    n = len(items)
    rows = [("parse only (baseline)", t_parse), ("parse + clean + fingerprints", t_clean),
            ("full pipeline into SQLite", t_full), ("re-ingest (all duplicates)", t_again)]
    print(f"ingest benchmark: {n} articles, {report.count('new')} new, {report.count('duplicate')} "
          f"duplicate, {len(report.skipped)} skipped; re-ingest {again.count('duplicate')} duplicate")
    print(f"{'stage':<32}{'seconds':>10}{'articles/s':>12}")
    for name, secs in rows:
        print(f"{name:<32}{secs:>10.2f}{n / secs:>12.0f}")
    target = n / t_full >= 200
    print(f"target >= 200 articles/s end to end: {'met' if target else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"articles": n, "stages": {k: {"seconds": s, "per_second": n / s}
                                                                   for k, s in rows}}, indent=2))
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
