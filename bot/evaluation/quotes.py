"""Quotes eval: span P/R/F1 and speaker accuracy of `extract_quotes` beside baselines (a) and (b).

Scoring and the baselines are the eval folder's own `baseline.py` (imported by path), so ours is
measured exactly as they are. The task scores quote pieces of five words or more, so our pieces are
filtered to that length before scoring, as baseline (a) filters its own.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.evaluation import load_baseline
from bot.evaluation.report import Table
from summarizer.quotes import extract_quotes

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"
Prediction = tuple[int, int, tuple[str, int, int] | None]


def predict(article: dict[str, Any], base: ModuleType) -> list[Prediction]:
    """Our pieces of >= MIN_WORDS words, each with (speaker name, mention start, mention end)."""
    text = article["text"]
    out: list[Prediction] = []
    for q in extract_quotes(text):
        spk = None
        if q.speaker_mention is not None:
            a, b = q.speaker_mention
            spk = (q.speaker or text[a:b], a, b)
        out += [(s, e, spk) for s, e in q.spans if len(base.words(text[s:e])) >= base.MIN_WORDS]
    return out


def by_kind(articles: list[dict[str, Any]], base: ModuleType, fn: Any) -> dict[str, tuple[int, float, float]]:
    """Speaker accuracy (n, strict, lenient) by the kind of gold mention: name, pronoun, nominal."""
    n: Counter[str] = Counter()
    strict: Counter[str] = Counter()
    lenient: Counter[str] = Counter()
    for art in articles:
        gold = base.gold_units(art)
        preds = fn(art)
        for gi, (pi, j, ex) in base.match(gold, [(p[0], p[1]) for p in preds], art["text"]).items():
            q = gold[gi]["quote"]
            if q["speaker"] is None or not (j >= 0.5 or ex):
                continue
            st, le = base.speaker_ok(q, preds[pi][2])
            kind = q["speaker_kind"] or "none"
            n[kind] += 1
            strict[kind] += st
            lenient[kind] += le
    return {k: (n[k], strict[k] / n[k], lenient[k] / n[k]) for k in sorted(n)}


def run(data_dir: Path = DEFAULT_DIR) -> list[Table]:
    folder = data_dir / "quotes"
    base = load_baseline(folder)
    articles = base.load(str(folder / "articles.jsonl"))
    started = time.perf_counter()
    ours = {a["id"]: predict(a, base) for a in articles}
    elapsed = time.perf_counter() - started

    def mine(a: dict[str, Any]) -> list[Prediction]:
        return ours[a["id"]]

    systems = {
        "(a) quote marks": (base.predict_marks, False),
        "(b) marks + naive speaker": (base.predict_marks_speaker, True),
        "newsdigest": (mine, True),
    }
    spans = Table("quotes: direct-quote pieces >= 5 words (dev half)",
                  ["system", "match", "pred", "P", "R", "F1", "fp in partial quotes"])
    speakers = Table("quotes: speaker accuracy on found pieces",
                     ["system", "mention kind", "n", "strict", "lenient"])
    for name, (fn, with_spk) in systems.items():
        res = base.score(articles, fn, with_speaker=with_spk)
        if name != "(b) marks + naive speaker":
            for k in ("exact", "overlap"):
                spans.rows.append([name, k, res["pred"], *res[k], res["fp_in_partial"]])
        if with_spk:
            speakers.rows.append([name, "all", res["spk_n"], res["spk_strict"], res["spk_lenient"]])
            for kind, (n, st, le) in by_kind(articles, base, fn).items():
                speakers.rows.append([name, kind, n, st, le])
    spans.notes.append(f"gold units: {base.score(articles, lambda a: [])['gold']}; "
                       f"extraction {len(articles) / elapsed:.0f} articles/s")
    return [spans, speakers]


if __name__ == "__main__":
    for table in run():
        print(table.render(), end="\n\n")
