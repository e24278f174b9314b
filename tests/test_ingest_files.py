"""Local-file ingestion end to end: files -> pipeline -> real store, through the CLI as users run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.ingestion import FileSource
from bot.ingestion.pipeline import ingest
from bot.storage import ArticleRow, ArticleSourceRow, open_store

BODY = ("The city council voted on Tuesday to expand the harbour tram line by four stations, "
        "a project the mayor said would cut commuting times for 30,000 residents. Construction is "
        "expected to begin next spring and to last two years, according to the transport department.")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--format", "json", "--no-progress"])
    return code, json.loads(capsys.readouterr().out)


def test_seeds_ingest_is_idempotent(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, first = run_json(capsys, "ingest", str(SEEDS), "--db", sqlite_url)
    assert code == 0 and first["version"] == 1
    assert (first["new"], first["duplicate"], first["skipped"]) == (5, 0, 0)
    code, again = run_json(capsys, "ingest", str(SEEDS), "--db", sqlite_url)
    assert code == 0 and (again["new"], again["duplicate"]) == (0, 5)
    code, listed = run_json(capsys, "articles", "--db", sqlite_url)
    assert sorted(a["id"] for a in listed["articles"]) == sorted(p.stem for p in SEEDS.glob("*.txt"))


def test_every_file_kind(tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "a.txt").write_text("Harbour tram to grow\n\n" + BODY)
    (tmp_path / "b.md").write_text("# Storm closes schools\n\n**Schools** across the county closed on "
                                   "Monday as a winter storm brought heavy snow, officials said, and "
                                   "buses will not run until the roads are cleared.")
    (tmp_path / "c.html").write_text("<html><head><title>Rail strike ends</title></head><body><article>"
                                     "<h1>Rail strike ends</h1><p>Train drivers ended a three-day strike "
                                     "on Friday after the union accepted a new pay offer from the "
                                     "operator, which had cancelled most services.</p></article>"
                                     "</body></html>")
    records = [{"id": "rec-1", "title": "Bridge reopens", "outlet": "Daily Post", "url":
                "https://example.org/bridge?utm_source=x", "published": "2025-11-06T10:00:00Z",
                "text": "The old bridge reopened to traffic on Thursday after eight months of repairs "
                        "that cost the city 12 million dollars, the works department said.",
                "story": "s1", "lang_hint": "en"}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    (tmp_path / "e.json").write_text(json.dumps([{"id": "rec-2", "title": "Port strike", "text": BODY
                                                  .replace("tram", "ferry")}]))
    engine = open_store(sqlite_url)
    report = ingest(engine, [FileSource(tmp_path)], progress=False)
    assert report.skipped == []
    assert report.count("new") == 5
    with Session(engine) as session:
        rec = session.get_one(ArticleRow, "rec-1")
        assert rec.outlet == "Daily Post" and rec.meta == {"story": "s1", "lang_hint": "en"}
        assert rec.canonical_url == "https://example.org/bridge"
        assert rec.published is not None and rec.published.year == 2025
        md = session.get_one(ArticleRow, "b")
        assert "**" not in md.text and "Schools across the county" in md.text
        html = session.get_one(ArticleRow, "c")
        assert "<p>" not in html.text and "Train drivers ended" in html.text
    engine.dispose()


def test_bad_inputs_are_skipped_with_reasons(tmp_path: Path, sqlite_url: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "first"
    good.mkdir()
    (good / "good.txt").write_text(BODY)
    assert main(["ingest", str(good), "--db", sqlite_url, "--no-progress"]) == 0
    capsys.readouterr()

    bad = tmp_path / "batch"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (bad / "empty.txt").write_text("   \n")
    (bad / "latin1.txt").write_bytes(("Café owners in Zürich protested on Monday against new rules "
                                      "that limit terrace seating, the association said.").encode("latin-1"))
    (bad / "broken.jsonl").write_text('{"id": "ok-1", "text": "' + BODY.replace("tram", "bus") + '"}\n'
                                      '{"id": "cut", "text": "trunc\n{"id": "no-text"}\n')
    (bad / "notes.pdf").write_bytes(b"%PDF-1.4")
    code, out = run_json(capsys, "ingest", str(bad), str(tmp_path / "missing"), "--db", sqlite_url)
    assert code == 1
    skipped = out["skipped_items"]

    def reason_for(suffix: str) -> str:
        return next(i["reason"] for i in skipped if i["item"].endswith(suffix))

    assert reason_for("binary.txt") == "binary file"
    assert reason_for("empty.txt") == "empty file"
    assert reason_for("broken.jsonl:line 2").startswith("invalid JSON")
    assert reason_for("broken.jsonl:line 3") == "record has no text"
    assert reason_for("missing") == "no such file or directory"
    assert len(skipped) == 5
    assert {a["id"] for a in out["articles"]} == {"latin1", "ok-1"}
    engine = open_store(sqlite_url)
    with Session(engine) as session:
        assert "Café owners in Zürich" in session.get_one(ArticleRow, "latin1").text
        assert session.get(ArticleRow, "good") is not None  # nothing stored was lost
    engine.dispose()


def test_near_duplicates_are_stored_once_with_all_sources(tmp_path: Path, sqlite_url: str) -> None:
    base = [{"id": "wire-1", "outlet": "Wire", "url": "https://wire.example/a1?utm_medium=rss",
             "title": "Harbour tram to grow", "text": BODY},
            # the same article re-fetched under a new GUID and a changed URL
            {"id": "wire-1-guid2", "outlet": "Wire", "url": "https://wire.example/a1#comments",
             "title": "Harbour tram to grow", "text": BODY},
            # syndicated word for word by another outlet, with its own chrome and punctuation
            {"id": "local-9", "outlet": "Local Herald", "url": "https://herald.example/tram",
             "title": "Harbour tram to grow", "text": BODY.replace(", a project", " - a project")
             + "\n\nShare this article"},
            # a different article about the same topic stays separate
            {"id": "other", "outlet": "Wire", "url": "https://wire.example/a2", "title": "Tram fares",
             "text": "Tram fares will rise by five percent in January, the transport department announced "
                     "on Wednesday, citing higher energy costs and the cost of new rolling stock."}]
    (tmp_path / "items.jsonl").write_text("\n".join(json.dumps(r) for r in base))
    engine = open_store(sqlite_url)
    report = ingest(engine, [FileSource(tmp_path)], progress=False)
    assert [(r.id, r.status) for r in report.results] == [
        ("wire-1", "new"), ("wire-1", "duplicate"), ("wire-1", "duplicate"), ("other", "new")]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 2
        outlets = session.scalars(select(ArticleSourceRow.outlet)
                                  .where(ArticleSourceRow.article_id == "wire-1")).all()
        assert sorted(outlets) == ["Local Herald", "Wire", "Wire"]
    engine.dispose()


@pytest.mark.postgres
def test_ingest_on_postgres(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, first = run_json(capsys, "ingest", str(SEEDS), "--db", pg_url)
    assert code == 0 and first["new"] == 5
    code, again = run_json(capsys, "ingest", str(SEEDS), "--db", pg_url)
    assert (again["new"], again["duplicate"]) == (0, 5)


def test_records_sharing_a_page_url_keep_their_ids(tmp_path: Path, sqlite_url: str) -> None:
    """One quiz or live-blog page can hold several different records: same URL, own ids, own text."""
    url = "https://quiz.example/week-12"
    recs = [{"id": "q1", "url": url, "text": BODY},
            {"id": "q2", "url": url, "text": "The central bank raised its main interest rate by a quarter "
                                             "point on Thursday, its third increase this year, citing "
                                             "stubborn inflation in services and housing costs."}]
    (tmp_path / "quiz.jsonl").write_text("\n".join(json.dumps(r) for r in recs))
    engine = open_store(sqlite_url)
    report = ingest(engine, [FileSource(tmp_path)], progress=False)
    assert [(r.id, r.status) for r in report.results] == [("q1", "new"), ("q2", "new")]
    engine.dispose()


def test_near_duplicates_are_found_across_batches_and_processes(tmp_path: Path, sqlite_url: str) -> None:
    """Each process keeps its near-duplicate index between batches and tops it up with what any
    process stored since, so a rewording is caught whoever stored the original."""
    long_text = BODY + " " + BODY.replace("harbour", "river").replace("30,000", "12,000")

    def batch(engine: Engine, name: str, record: dict[str, str]) -> list[tuple[str, str]]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "items.jsonl").write_text(json.dumps(record))
        report = ingest(engine, [FileSource(tmp_path / name)], progress=False)
        return [(r.id, r.status) for r in report.results]

    one, two = open_store(sqlite_url), open_store(sqlite_url)  # two processes' views of one store
    assert batch(one, "a", {"id": "orig", "title": "Trams", "text": long_text}) == [("orig", "new")]
    assert batch(two, "b", {"id": "fares", "title": "Fares", "text": long_text.replace("tram", "bus")}) \
        == [("fares", "new")]
    # one word changed: not the same fingerprint, a near duplicate of the article the other process stored
    reworded = long_text.replace("tram", "bus").replace("next spring", "next summer")
    assert batch(one, "c", {"id": "fares-2", "title": "Fares", "text": reworded}) == [("fares", "duplicate")]
    reworded = long_text.replace("river", "lake")
    assert batch(two, "d", {"id": "orig-2", "title": "Trams", "text": reworded}) == [("orig", "duplicate")]
    one.dispose()
    two.dispose()
