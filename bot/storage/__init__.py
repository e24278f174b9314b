"""The article store: SQLAlchemy 2 models, Alembic migrations, SQLite (WAL) or PostgreSQL."""

from bot.storage.db import open_store
from bot.storage.models import ArticleRow, ArticleSourceRow, Base, SourceRow

__all__ = ["ArticleRow", "ArticleSourceRow", "Base", "SourceRow", "open_store"]
