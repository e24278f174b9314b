"""The persistent /ask index on SQLite (FTS5) and PostgreSQL (tsvector + GIN): round trips, idempotent
adds, scopes, story-first search, an end-to-end grounded answer, and migration 0004."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest
from ask_coverage import COVERAGE, LEAGUE, QUAKE_A, SUMMIT
from counting import Counting
from sqlalchemy import Engine, delete, func, inspect, select, text

from bot.ask import AskIndex, ask
from bot.ask.index import FTS, PASSAGES
from bot.storage.db import downgrade, migrate, open_store
from bot.storage.models import StateRow
from summarizer.answers import REFUSAL
from summarizer.digest import summarize_story
from summarizer.embeddings import CachedEmbedder
from summarizer.types import Article, Story

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

pytestmark = pytest.mark.model



def _count(index: AskIndex) -> int:
    with index.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PASSAGES)).scalar_one())


def _round_trip(index: AskIndex) -> None:
    assert index.add_articles(COVERAGE) == len(COVERAGE)
    n = _count(index)
    assert n >= len(COVERAGE)
    # idempotent: the same articles again change nothing
    assert index.add_articles(COVERAGE) == 0
    assert _count(index) == n

    for mode in ("bm25", "dense", "hybrid"):
        hits = index.search("How many people were killed in the Izmir earthquake?", k=5, mode=mode)
        assert hits, mode
        assert hits[0].passage.article_id in {"quake-reuters", "quake-ap"}, mode
    hit = index.search("Odegaard scored twice", k=3, mode="bm25")[0]
    assert hit.passage.article_id == LEAGUE.id and hit.lexical > 0 and hit.dense > 0
    assert hit.passage.outlet == LEAGUE.outlet and hit.passage.url == LEAGUE.url
    assert "Odegaard" in hit.passage.window and hit.passage.title == LEAGUE.title

    scoped = index.search("earthquake killed", scope={SUMMIT.id, LEAGUE.id}, k=5)
    assert scoped and all(h.passage.article_id in {SUMMIT.id, LEAGUE.id} for h in scoped)
    story = index.search("What did officials say?", story_article_ids={SUMMIT.id}, k=4)
    assert story[0].in_story and story[0].passage.article_id == SUMMIT.id

    # the same report a month apart: the newer one leads (it was added second, and ties go to the first)
    said = "The lighthouse keepers' festival in Tromso drew record crowds this weekend."
    old = Article(id="festival-old", title="Festival", text=said, published=datetime(2025, 10, 1))
    new = dataclasses.replace(old, id="festival-new", published=datetime(2025, 11, 1))
    assert index.add_articles([old, new]) == 2
    assert [h.passage.article_id for h in index.search(said, k=2)] == ["festival-new", "festival-old"]

    # "UN" finds the coverage that spells it "U.N.", "Turkiye" the one that spells it "Türkiye" (both
    # sides of the full-text search fold acronyms and accents, whatever the engine)
    un = Article(id="un-envoy", title="Envoy named",
                 text="The U.N. named a new envoy for Yemen on Monday, and Türkiye welcomed the choice.")
    assert index.add_articles([un]) == 1
    for asked in ("UN", "U.N.", "Turkiye", "Türkiye"):
        assert index.search(asked, k=1, mode="bm25")[0].passage.article_id == un.id, asked

    # a changed article is re-indexed: the old text is no longer found, the new one is
    changed = dataclasses.replace(QUAKE_A, text=QUAKE_A.text.replace("Izmir", "Manisa"))
    assert index.add_articles([changed]) == 1
    found = {h.passage.article_id for h in index.search("Manisa", k=5, mode="bm25")}
    assert QUAKE_A.id in found

    answer = ask(index, "When will Erdogan host the grain corridor talks?")
    assert answer.answered and "November 6" in answer.answer
    assert answer.citations[0].article_id == SUMMIT.id and answer.citations[0].outlet == "BBC"
    assert ask(index, "What did the Bank of Japan decide about interest rates?").answer == REFUSAL


def test_sqlite_fts5_round_trip(sqlite_url: str, embedder) -> None:
    engine = open_store(sqlite_url)
    try:
        index = AskIndex(engine, embedder)
        _round_trip(index)
        with engine.connect() as conn:
            fts = conn.execute(text(f"SELECT count(*) FROM {FTS}")).scalar_one()
        assert fts == _count(index)  # the FTS table follows deletions and re-adds
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_round_trip(pg_url: str, embedder) -> None:
    engine = open_store(pg_url)
    try:
        _round_trip(AskIndex(engine, embedder))
        cols = {c["name"] for c in inspect(engine).get_columns("ask_passages")}
        assert "tsv" in cols
    finally:
        engine.dispose()


def _model_change(engine: Engine, embedder, caplog: pytest.LogCaptureFixture) -> None:
    first = AskIndex(engine, embedder, model="all-minilm:onnx-int8")
    assert first.ensure_current() == 0  # a new index records its model
    assert first.add_articles(COVERAGE) == len(COVERAGE)
    n = _count(first)
    assert AskIndex(engine, embedder, model="all-minilm:onnx-int8").ensure_current() == 0
    assert _count(first) == n
    other = AskIndex(engine, embedder, model="another-model:onnx")
    assert other.ensure_current() == len(COVERAGE)
    assert "built with embedding model all-minilm:onnx-int8" in caplog.text
    assert _count(other) == 0 and other.search("earthquake", k=3) == []
    assert other.add_articles(COVERAGE) == len(COVERAGE) and _count(other) == n
    assert other.search("earthquake", k=3)
    assert other.ensure_current() == 0  # checked once per process
    with engine.begin() as conn:  # as in a store indexed before models were recorded
        conn.execute(delete(StateRow))
    assert AskIndex(engine, embedder, model="a-third:onnx").ensure_current() == 0
    assert _count(other) == n
    with engine.connect() as conn:
        recorded = conn.execute(select(StateRow.value).where(StateRow.name == "ask-index")).scalar_one()
    assert recorded == {"model": "a-third:onnx", "format": 2}


def test_an_index_of_an_older_format_is_rebuilt(sqlite_url: str, embedder,
                                                caplog: pytest.LogCaptureFixture) -> None:
    """Passages written before acronyms were folded ("U.N." in the full-text body, and a state that
    records no format) are indexed again once, so that "UN" finds them."""
    engine = open_store(sqlite_url)
    un = Article(id="un-envoy", title="Envoy named", text="The U.N. named a new envoy for Yemen on Monday.")
    try:
        index = AskIndex(engine, embedder, model="all-minilm:onnx-int8")
        assert index.ensure_current() == 0 and index.add_articles([un]) == 1
        with engine.begin() as conn:  # as the previous version wrote them
            conn.execute(text("UPDATE ask_passages SET body = 'Envoy named. The U.N. named a new envoy'"))
            conn.execute(text(f"DELETE FROM {FTS}"))
            conn.execute(text(f"INSERT INTO {FTS}(rowid, body) SELECT id, body FROM ask_passages"))
            conn.execute(text("UPDATE state SET value = :v WHERE name = 'ask-index'"),
                         {"v": '{"model": "all-minilm:onnx-int8"}'})
        upgraded = AskIndex(engine, embedder, model="all-minilm:onnx-int8")
        assert upgraded.search("UN", k=1, mode="bm25") == []
        assert upgraded.ensure_current() == 1 and "passage format 1" in caplog.text
        assert upgraded.add_articles([un]) == 1
        assert upgraded.search("UN", k=1, mode="bm25")[0].passage.article_id == un.id
        assert upgraded.ensure_current() == 0
    finally:
        engine.dispose()


def test_a_change_of_embedding_model_rebuilds_the_index(sqlite_url: str, embedder,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Vectors of two models cannot be compared: an index built with another model is dropped once,
    and the articles are indexed again; a store indexed before the model was recorded keeps its index."""
    engine = open_store(sqlite_url)
    try:
        _model_change(engine, embedder, caplog)
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {FTS}")).scalar_one() == _count(
                AskIndex(engine, embedder))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_change_of_embedding_model_rebuilds_the_postgres_index(pg_url: str, embedder,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    engine = open_store(pg_url)
    try:
        _model_change(engine, embedder, caplog)
    finally:
        engine.dispose()


def test_each_sentence_is_embedded_once_for_index_and_digest(sqlite_url: str, embedder) -> None:
    """Passage vectors are means of sentence vectors: indexing embeds every sentence once, and the
    digest of the same articles then finds each sentence vector it needs in the shared cache."""
    engine = open_store(sqlite_url)
    model = Counting(embedder.inner)
    cached = CachedEmbedder(model)
    seeds = tuple(Article(id=p.stem, title="", text=p.read_text(encoding="utf-8"), outlet=p.stem)
                  for p in sorted(SEEDS.glob("*.txt")))
    AskIndex(engine, cached).add_articles(seeds)
    indexed = list(model.texts)
    assert indexed and len(indexed) == len(set(indexed))
    digest = summarize_story(Story(id="seeds", articles=seeds), cached)
    assert digest.summary and model.texts == indexed
    engine.dispose()


def test_migration_0004_up_and_down(sqlite_url: str) -> None:
    """The ask tables (and the FTS5 table) come with 0004 and go with its downgrade."""
    engine = open_store(sqlite_url)
    try:
        assert {"ask_articles", "ask_passages", FTS} <= set(inspect(engine).get_table_names())
        downgrade(engine, "0003")
        assert not {"ask_articles", "ask_passages", FTS} & set(inspect(engine).get_table_names())
        assert "articles" in inspect(engine).get_table_names()
        migrate(engine)
        assert {"ask_articles", "ask_passages", FTS} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
