"""Benchmark articles from the shared eval data (read in place, never copied into the project).

Every eval folder's articles become ingest records (`id, title, text, outlet, url, published`): the qa
corpus, the quotes articles, the stories files and the summaries clusters' articles, 7,248 in the dev
halves. `stream` turns them into a live-looking feed of any length: a fixed shuffle, a publication
clock of one article a minute, and past the pool "follow-ups" spliced from the first half of one
article and the second half of another, so every record is new to the deduplicator.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

Record = dict[str, Any]
FLAT = ("qa/corpus.jsonl", "quotes/articles.jsonl", "stories/neus.jsonl", "stories/ecbplus.jsonl")
CLUSTERS = ("summaries/multinews.jsonl", "summaries/neus.jsonl")
STREAM_START = datetime(2024, 1, 1, tzinfo=UTC)
STREAM_STEP = timedelta(minutes=1)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _record(doc: dict[str, Any]) -> Record:
    return {"id": doc["id"], "title": doc.get("title"), "text": doc["text"], "outlet": doc.get("outlet"),
            "url": doc.get("url"), "published": doc.get("published", doc.get("date"))}


def eval_records(data: Path, n: int | None = None, files: tuple[str, ...] = FLAT + CLUSTERS) -> list[Record]:
    """Up to `n` records in file order (every file's articles, then the summaries clusters')."""
    out: list[Record] = []
    for name in files:
        path = data / name
        if not path.exists():
            continue
        for doc in _jsonl(path):
            docs = doc["articles"] if name in CLUSTERS else [doc]
            out += [_record(d) for d in docs if d.get("text")]
            if n is not None and len(out) >= n:
                return out[:n]
    return out


def stream(pool: list[Record], n: int, seed: int = 0) -> list[Record]:
    """`n` distinct records in a fixed random order, published one a minute from `STREAM_START`."""
    if not pool:
        raise ValueError("no eval articles to stream")
    order = pool[:]
    random.Random(seed).shuffle(order)
    out: list[Record] = []
    for i in range(n):
        rnd, k = divmod(i, len(order))
        rec = dict(order[k])
        if rnd:  # a follow-up: first half of this article, second half of one `rnd` places on
            rec["text"] = _splice(rec["text"], order[(k + rnd) % len(order)]["text"])
            rec["id"] = f"{rec['id']}~{rnd}"
            rec["url"] = None
        rec["published"] = (STREAM_START + i * STREAM_STEP).isoformat()
        out.append(rec)
    return out


def _splice(first: str, second: str) -> str:
    """The first half of one text and the second half of another, in the first one's shape: by
    paragraphs when it has several, as one paragraph when it is one. Follow-ups then keep the pool's
    mix of paragraphed and single-paragraph texts (the sentence splitter costs more per character on
    one long paragraph, so a mix skewed either way would move the time per article)."""
    head, tail = ([p for p in text.splitlines() if p.strip()] for text in (first, second))
    words, more = first.split(), second.split()
    if len(head) <= 1:
        return " ".join(words[: len(words) // 2] + more[len(more) // 2 :])
    rest = tail[len(tail) // 2 :] if len(tail) > 1 else [" ".join(more[len(more) // 2 :])]
    return "\n".join(head[: (len(head) + 1) // 2] + rest)


def write_jsonl(path: Path, records: list[Record]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return path
