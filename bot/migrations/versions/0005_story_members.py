"""story members: the clusterer's open members and document frequencies as rows

The story clusterer's state used to be one JSON value rewritten on every poll (35 MB at 5,000 open
members); as rows, a poll writes only what it changed. The small header stays in `state`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.String(200), primary_key=True),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),  # vector, terms, date
        sa.Column("nearest", sa.JSON(), nullable=False),  # best similarities: rewritten far more often
    )
    op.create_table(
        "story_terms",
        sa.Column("term", sa.Text(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    # the header row exists from the start, so concurrent workers can lock it (SELECT ... FOR UPDATE)
    op.execute("INSERT INTO state (name, value, updated) SELECT 'story-clusterer', '{}', CURRENT_TIMESTAMP "
               "WHERE NOT EXISTS (SELECT 1 FROM state WHERE name = 'story-clusterer')")


def downgrade() -> None:
    op.drop_table("story_terms")
    op.drop_table("story_members")
