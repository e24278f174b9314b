"""delivery: outbox digests and messages, seen stories, source polls, schedule states, scheduler jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox_digests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("slot", TZ, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("catch_up", sa.Boolean(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("created", TZ, nullable=False),
        sa.Column("finished", TZ, nullable=True),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "digest_id", sa.Integer(), sa.ForeignKey("outbox_digests.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "chat_ref",
            sa.Integer(),
            sa.ForeignKey("chats.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column(
            "record_id", sa.Integer(), sa.ForeignKey("sent_messages.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("next_attempt", TZ, nullable=False),
        sa.Column("lease_until", TZ, nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", TZ, nullable=True),
        sa.UniqueConstraint("digest_id", "seq", name="uq_outbox_message_seq"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt", "id"])
    op.create_table(
        "seen_stories",
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("story_id", sa.String(64), primary_key=True),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("sentence_ids", sa.JSON(), nullable=False),
        sa.Column("quote_ids", sa.JSON(), nullable=False),
        sa.Column("updated", TZ, nullable=False),
    )
    op.create_table(
        "source_polls",
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("next_due", TZ, nullable=False),
        sa.Column("last_status", sa.String(32), nullable=True),
        sa.Column("last_poll", TZ, nullable=True),
    )
    op.create_table(
        "schedule_states",
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("since", TZ, nullable=False),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.String(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), nullable=True, index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    for table in ("apscheduler_jobs", "schedule_states", "source_polls", "seen_stories"):
        op.drop_table(table)
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("outbox_digests")
