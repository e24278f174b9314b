"""Quote extraction speed (articles/s, with speakers) over the quotes eval articles: no model needed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from summarizer.quotes import extract_quotes

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "quotes" / "articles.jsonl"


def main(path: Path = DEFAULT, rounds: int = 3) -> float:
    lines = path.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    best = float("inf")
    found = 0
    for _ in range(rounds):
        started = time.perf_counter()
        found = sum(len(extract_quotes(t)) for t in texts)
        best = min(best, time.perf_counter() - started)
    rate = len(texts) / best
    chars = sum(map(len, texts)) / best / 1e6
    print(f"{len(texts)} articles, {found} quotes: {rate:.0f} articles/s "
          f"({chars:.2f} M chars/s), best of {rounds}")
    return rate


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
