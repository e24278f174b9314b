"""ask: the /ask passage index (passages with vectors) and its full-text index per dialect

SQLite keeps an FTS5 table (porter stemmer) beside `ask_passages`, filled by the index itself;
PostgreSQL keeps a generated `tsvector` column with a GIN index, so no extra writes are needed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ask_articles",
        sa.Column("article_id", sa.String(200), primary_key=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
    )
    op.create_table(
        "ask_passages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("passage_id", sa.String(220), nullable=False, unique=True),
        sa.Column(
            "article_id",
            sa.String(200),
            sa.ForeignKey("ask_articles.article_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("sentences", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE ask_passages_fts USING fts5(body, tokenize='porter unicode61')")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE ask_passages ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED")
        op.execute("CREATE INDEX ask_passages_tsv_gin ON ask_passages USING GIN (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS ask_passages_fts")
    op.drop_table("ask_passages")
    op.drop_table("ask_articles")
