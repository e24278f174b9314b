"""The human table of a `newsdigest bench` result: ours, the baselines beside, targets with pass/fail."""

from __future__ import annotations

from typing import Any


def _f(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{unit}"


def _ask(rows: list[dict[str, Any]], mode: str) -> str:
    row = next((r for r in rows if r["mode"] == mode), None)
    if row is None:
        return "-"
    return (f"p50 {row['p50_ms']:.0f} / p95 {row['p95_ms']:.0f} ms "
            f"(CPU {row['cpu_p50_ms']:.0f} / {row['cpu_p95_ms']:.0f})")


def rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(measure, newsdigest, baselines / detail) rows for every section that ran."""
    out: list[tuple[str, str, str]] = []
    if ing := result.get("ingest"):
        parse = ing["stages"]["parse only (baseline)"]["per_second"]
        out.append((f"ingest, {ing['articles']:,} eval articles", _f(ing["articles_per_s"], 0, " articles/s"),
                    f"parse only {parse:,.0f}/s; re-ingest (duplicates) "
                    f"{ing['stages']['re-ingest (all duplicates)']['per_second']:,.0f}/s"))
    if dig := result.get("digest"):
        base = f"lead-3 {_f(dig['lead3_s'] * 1000, 1)} ms, LexRank-3 {_f(dig['lexrank_s'] * 1000, 1)} ms"
        out.append((f"digest, {dig['articles']}-article story, cold cache",
                    f"{dig['cold_s']:.3f} s (best {dig['cold_best_s']:.3f})", base))
        out.append(("digest, warm cache", f"{dig['warm_s']:.3f} s (best {dig['warm_best_s']:.3f})", ""))
        if r1 := dig.get("rouge1_neus"):
            out.append((f"summaries R1, NeuS first {r1['clusters']}", _f(r1["newsdigest"], 2),
                        f"lead-3 {_f(r1['lead3_first'], 2)}, LexRank-3 {_f(r1['lexrank_3'], 2)}"))
    if sc := result.get("scaling"):
        for n, run in sc["sizes"].items():
            secs = run["seconds"]
            runs = run.get("pipeline_s_runs", [])
            mean = f" (mean of {' and '.join(f'{s:.1f}' for s in runs)})" if len(runs) > 1 else ""
            out.append((f"pipeline, {int(n):,} articles (model excluded)",
                        _f(run["pipeline_s"], 1, " s") + mean,
                        f"ingest {secs['ingest']:.1f} + stories {secs['stories']:.1f} + /ask index "
                        f"{secs['ask_index']:.1f} s; {run['texts_embedded']:,} texts to embed"))
            out.append((f"/ask at {int(n):,} articles, hybrid", _ask(run["ask"], "hybrid"),
                        f"BM25 only: {_ask(run['ask'], 'bm25')}"))
        out.append(("model rate (configured runtime)", _f(sc["model_texts_per_s"], 1, " texts/s"),
                    f"question embedding {sc['question_embed_ms']:.0f} ms each"))
        if idx := sc.get("indexing"):
            out.append((f"/ask indexing, {idx['articles']} new articles",
                        _f(idx["articles_per_s"], 1, " articles/s"),
                        f"model included: {idx['texts_embedded']:,} sentences in {idx['seconds']:.1f} s"))
        ratio = sc["ratio"]
        out.append((f"time ratio, {ratio['articles']:.0f}x articles",
                    f"{ratio['pipeline']:.2f} (model excluded)",
                    f"{ratio['with_model']:.2f} with the model's projected share added"))
    if mem := result.get("memory"):
        out.append((f"peak RSS of `run`, {mem['articles']:,} articles", _f(mem["peak_rss_mb"], 0, " MB"),
                    f"start-up + /ask {mem['ask_peak_rss_mb']:,.0f} MB; /ask + /digest "
                    f"{mem['digest_peak_rss_mb']:,.0f} MB"))
    if fan := result.get("fanout"):
        out.append((f"fan-out, {fan['expected']:,} messages", _f(fan["steady_throughput"], 1, " msg/s"),
                    f"limit {fan['limit']}/s; lost {fan['lost']}, duplicated {fan['duplicated']}, "
                    f"429s {fan['http_429_total']}"))
    return out


def render(result: dict[str, Any]) -> str:
    body = rows(result)
    width = max([len(r[0]) for r in body] + [7])
    value = max([len(r[1]) for r in body] + [10])
    lines = [f"{'measure':<{width}}  {'newsdigest':<{value}}  baselines / detail",
             f"{'-' * width}  {'-' * value}  {'-' * 18}"]
    lines += [f"{a:<{width}}  {b:<{value}}  {c}".rstrip() for a, b, c in body]
    lines += ["", "targets"]
    for t in result["targets"]:
        mark = {True: "pass", False: "FAIL", None: "not run"}[t["pass"]]
        bound = f"{t['op']} {t['target']:g} {t['unit']}"
        lines.append(f"  {t['name']:<30} {_f(t['value'], 2):>10} {bound:<20} {mark}")
    for section, error in result.get("errors", {}).items():
        lines.append(f"error in {section}: {error}")
    lines.append(f"\n{result['cpus']} CPUs, load average {result['load_average_start']:.1f} at start, "
                 f"{result['load_average_end']:.1f} at end; {result['seconds']:.0f} s in all")
    return "\n".join(lines)
