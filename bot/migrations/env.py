"""Alembic environment: runs on the connection handed over by `bot.storage.db.migrate`."""

from alembic import context
from sqlalchemy import create_engine

import bot.ask.index
import bot.storage.chat_models
import bot.storage.delivery_models  # noqa: F401  (the outbox, scheduling and ask tables)
from bot.storage.models import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///data/newsdigest.db"
    with create_engine(url).begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
