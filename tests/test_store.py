"""Migrations and store behaviour on the real SQLite and PostgreSQL engines."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.storage.db import MIGRATIONS, downgrade, migrate, open_store

TABLES = {"sources", "articles", "article_sources", "embeddings", "stories", "story_articles", "state",
          "alembic_version"}


def _check_schema(url: str) -> None:
    engine = open_store(url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        migrate(engine)  # running again is a no-op
        with engine.connect() as conn:
            head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
            assert conn.execute(text("select version_num from alembic_version")).scalar() == head
        downgrade(engine, "base")  # downgrade works too
        assert "articles" not in inspect(engine).get_table_names()
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_migrations_sqlite(sqlite_url: str) -> None:
    _check_schema(sqlite_url)
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.postgres
def test_migrations_postgres(pg_url: str) -> None:
    _check_schema(pg_url)


def test_unreachable_store_is_one_line_without_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    code = main(["articles", "--db", "postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:1/none"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("newsdigest: the store failed:") and err.count("\n") == 1, err
    assert "s3cret-pw" not in err and "Traceback" not in err
