"""The persistent /ask index on SQLite (FTS5) and PostgreSQL (tsvector + GIN): round trips, idempotent
adds, scopes, story-first search, an end-to-end grounded answer, and migration 0004."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select, text

from bot.ask import AskIndex, ask
from bot.ask.index import FTS, PASSAGES
from bot.storage.db import downgrade, migrate, open_store
from summarizer.answers import REFUSAL
from summarizer.types import Article

pytestmark = pytest.mark.model

# the same small coverage as tests/test_answers.py (kept apart so each file stands alone)
QUAKE_A = Article(
    id="quake-reuters", outlet="Reuters", url="https://example.org/reuters/quake",
    published=datetime(2023, 11, 7), title="Earthquake strikes western Turkey",
    text=("A magnitude 6.1 earthquake struck western Turkey on Monday, damaging buildings in Izmir.\n"
          "At least 14 people were killed and dozens injured, the disaster agency AFAD said.\n"
          "Rescue teams worked through the night in the coastal province."))
QUAKE_B = Article(
    id="quake-ap", outlet="AP", url="https://example.org/ap/quake", published=datetime(2023, 11, 8),
    title="Deadly earthquake hits Turkey's Aegean coast",
    text=("Officials said 17 people were killed in the earthquake that hit Izmir province in western "
          "Turkey.\nThe quake, centred off the Aegean coast, was felt as far away as Athens.\n"
          "Aid groups set up tents for families whose homes were damaged."))
SUMMIT = Article(
    id="summit-1", outlet="BBC", url="https://example.org/bbc/summit", published=datetime(2023, 10, 30),
    title="Leaders to meet for Black Sea grain talks",
    text=("Turkish President Recep Tayyip Erdogan will host the grain corridor talks on November 6, in "
          "Istanbul, his office announced.\n"
          "Foreign Minister Hakan Fidan said the talks would focus on shipping through the Black Sea.\n"
          "\"We will not let the grain deal collapse,\" Erdogan said in a televised address."))
LEAGUE = Article(
    id="league-1", outlet="Sky Sports", url="https://example.org/sky/league", published=datetime(2023, 5, 1),
    title="Arsenal beat Chelsea in London derby",
    text=("Arsenal beat Chelsea 3-1 at the Emirates Stadium on Saturday.\n"
          "Martin Odegaard scored twice as the hosts moved back to the top of the Premier League.\n"
          "Chelsea manager Frank Lampard said his side lacked intensity."))
COVERAGE = (QUAKE_A, QUAKE_B, SUMMIT, LEAGUE)


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
