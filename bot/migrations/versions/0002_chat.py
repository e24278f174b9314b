"""chat layer: chats, subscriptions, admins, muted stories, sent messages, slack events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('thread_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'chat_id', 'thread_id', name='uq_chat_place')
    )
    op.create_table('slack_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('received', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('slack_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_events_received'), ['received'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_ref', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('max_stories', sa.Integer(), nullable=True),
    sa.Column('summary_chars', sa.Integer(), nullable=True),
    sa.Column('quotes', sa.Boolean(), nullable=True),
    sa.Column('deactivated_reason', sa.Text(), nullable=True),
    sa.Column('last_sent', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chat_ref'], ['chats.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chat_ref')
    )
    op.create_table('chat_admins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_ref', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chat_ref'], ['chats.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('chat_ref', 'user_id', name='uq_chat_admin')
    )
    with op.batch_alter_table('chat_admins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_admins_chat_ref'), ['chat_ref'], unique=False)

    op.create_table('muted_stories',
    sa.Column('chat_ref', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.String(length=64), nullable=False),
    sa.Column('muted_by', sa.String(length=64), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chat_ref'], ['chats.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_ref', 'story_id')
    )
    op.create_table('sent_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_ref', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('story_id', sa.String(length=64), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chat_ref'], ['chats.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.create_index('ix_sent_messages_chat_message', ['chat_ref', 'message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sent_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sent_messages_chat_message')

    op.drop_table('sent_messages')
    op.drop_table('muted_stories')
    with op.batch_alter_table('chat_admins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_admins_chat_ref'))

    op.drop_table('chat_admins')
    op.drop_table('subscriptions')
    with op.batch_alter_table('slack_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_events_received'))

    op.drop_table('slack_events')
    op.drop_table('chats')
