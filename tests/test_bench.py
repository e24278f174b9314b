"""`newsdigest bench --quick`: every part runs and its table and JSON hold sane figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.evaluate import default_data_dir

DATA = default_data_dir()
needs_data = pytest.mark.skipif(not (DATA / "qa").is_dir(), reason="no eval data at ../shared/eval")


@needs_data
def test_stream_is_new_to_the_deduplicator_and_dated_in_order() -> None:
    from bench.corpus import eval_records, stream

    pool = eval_records(DATA, 50)
    records = stream(pool, 120)  # two rounds of follow-ups past the pool
    assert len({r["id"] for r in records}) == 120
    assert len({r["text"] for r in records}) == 120
    assert [r["published"] for r in records] == sorted(r["published"] for r in records)
    for follow in (r for r in records if r["id"].endswith("~1")):  # half of one, half of another
        original = next(r for r in pool if r["id"] == follow["id"].removesuffix("~1"))
        paragraphs = [p for p in original["text"].splitlines() if p.strip()]
        if len(paragraphs) > 1 and len(follow["text"].splitlines()) > 1:  # by paragraphs: still an article
            assert follow["text"].startswith(paragraphs[0]) and paragraphs[-1] not in follow["text"]
        else:
            head = original["text"].split()
            assert follow["text"].split()[: len(head) // 2] == head[: len(head) // 2]
    assert any(len(r["text"].splitlines()) > 1 for r in records if "~" in r["id"])


def test_unknown_part_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--skip", "everything"]) == 2
    assert "unknown part 'everything'" in capsys.readouterr().err


@needs_data
@pytest.mark.model
@pytest.mark.postgres
@pytest.mark.redis
def test_quick_bench_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    code = main(["bench", "--quick", "--no-progress", "--data", str(DATA), "--out", str(out)])
    table = capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == {} and code == 0
    assert result["version"] == 1 and result["quick"] is True

    ingest = result["ingest"]
    assert ingest["articles"] == 100 and ingest["new"] + ingest["duplicate"] + ingest["skipped"] == 100
    assert ingest["reingest_duplicate"] == ingest["new"] + ingest["duplicate"]
    assert ingest["articles_per_s"] > 0

    digest = result["digest"]
    assert digest["articles"] == 5 and 2 <= digest["summary_sentences"] <= 4
    assert min(digest["warm_s"], digest["cold_s"], digest["lead3_s"], digest["lexrank_s"]) > 0

    scaling = result["scaling"]
    small, large = scaling["sizes"]["20"], scaling["sizes"]["200"]
    assert small["new"] >= 19 and large["new"] >= 190  # the stream is new (the eval sets overlap a little)
    assert large["texts_embedded"] > 5 * small["texts_embedded"] > 0
    for run in (small, large):
        assert {r["mode"] for r in run["ask"]} == {"hybrid", "bm25"}
        assert all(0 < r["p50_ms"] <= r["p95_ms"] for r in run["ask"])
        assert run["pipeline_s"] == pytest.approx(sum(run["seconds"].values()))
        assert len(run["polls"]) == -(-run["articles"] // run["batch"])
    assert len(small["pipeline_s_runs"]) == 2 and "pipeline_s_runs" not in large  # A-B-A: small twice
    assert small["pipeline_s"] == pytest.approx(sum(small["pipeline_s_runs"]) / 2)
    assert scaling["ratio"]["articles"] == 10 and scaling["ratio"]["with_model"] > 1
    assert scaling["model_texts_per_s"] > 0
    indexing = scaling["indexing"]  # the real model over 10 articles nothing has embedded yet
    assert indexing["articles"] == 10 and indexing["texts_embedded"] > 10
    assert indexing["articles_per_s"] == pytest.approx(10 / indexing["seconds"])

    memory = result["memory"]
    assert memory["peak_rss_mb"] == max(memory["ask_peak_rss_mb"], memory["digest_peak_rss_mb"])
    assert min(memory["ask_peak_rss_mb"], memory["digest_peak_rss_mb"]) > 100  # the model alone is ~100 MB
    assert memory["peak_rss_mb"] < 4096
    fanout = result["fanout"]
    assert fanout["expected"] == fanout["messages"] == 300
    assert fanout["lost"] == 0 and fanout["duplicated"] == 0

    targets = {t["name"]: t for t in result["targets"]}
    assert len(targets) == 8 and all(t["pass"] in (True, False) for t in targets.values())
    assert targets["peak RSS of run"]["value"] == result["memory"]["peak_rss_mb"]
    assert targets["/ask indexing, with model"]["value"] == indexing["articles_per_s"]
    for line in ("ingest, 100 eval articles", "digest, 5-article story, cold cache", "/ask at 200 articles",
                 "/ask indexing, 10 new articles", "time ratio, 10x articles", "peak RSS of `run`",
                 "fan-out, 300 messages", "targets"):
        assert line in table
    assert sum(line.rstrip().endswith(("pass", "FAIL")) for line in table.splitlines()) == 8
