"""Embedding throughput and load time: torch (reference) beside ONNX fp32 and int8, in one run.

Sentences come from the shared eval data (never copied into the project): one sentence per line of
the stories set. For each runtime the run times the model load (ONNX: first load exports into a
fresh temporary cache, second load reuses it), then embeds the same sentences and reports
sentences/s and the mean / minimum cosine to the torch vectors.

    HF_HUB_OFFLINE=1 nice python bench/embed_bench.py [--data ../shared/eval] [--n 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bot.cli.evaluate import default_data_dir
from summarizer.embeddings import DEFAULT_MODEL, load_embedder

RUNTIMES = ("torch", "onnx", "onnx-int8")


def load_sentences(data: Path, n: int) -> list[str]:
    out: list[str] = []
    for name in ("stories/neus.jsonl", "stories/ecbplus.jsonl"):
        with (data / name).open(encoding="utf-8") as fh:
            for line in fh:
                for sentence in json.loads(line)["text"].split("\n"):
                    if len(sentence.split()) >= 4:
                        out.append(sentence)
                        if len(out) >= n:
                            return out
    return out


def bench(runtime: str, sentences: list[str], cache: Path, model: str) -> tuple[dict[str, Any], np.ndarray]:
    started = time.perf_counter()
    embedder = load_embedder(model, "cpu", runtime, cache)  # type: ignore[arg-type]
    first_load = time.perf_counter() - started
    row: dict[str, Any] = {"runtime": runtime, "load_s": round(first_load, 2)}
    if runtime != "torch":
        started = time.perf_counter()
        embedder = load_embedder(model, "cpu", runtime, cache)  # type: ignore[arg-type]
        row["load_cached_s"] = round(time.perf_counter() - started, 2)
    embedder.embed(sentences[:32])  # warm-up
    started = time.perf_counter()
    vectors = embedder.embed(sentences)
    seconds = time.perf_counter() - started
    row["sentences_per_s"] = round(len(sentences) / seconds, 1)
    return row, vectors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--n", type=int, default=1000, help="sentences to embed")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--runtimes", nargs="+", default=list(RUNTIMES), choices=RUNTIMES)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    sentences = load_sentences(args.data or default_data_dir(), args.n)
    rows = []
    reference: np.ndarray | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for runtime in args.runtimes:
            row, vectors = bench(runtime, sentences, Path(tmp), args.model)
            if runtime == "torch":
                reference = vectors
            elif reference is not None:
                cos = np.sum(reference * vectors, axis=1)
                row["cos_to_torch_mean"] = round(float(cos.mean()), 4)
                row["cos_to_torch_min"] = round(float(cos.min()), 4)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"{len(sentences)} sentences, mean {np.mean([len(s) for s in sentences]):.0f} characters",
          file=sys.stderr)
    if args.json:
        figures = {"sentences": len(sentences), "rows": rows}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
