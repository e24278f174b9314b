"""The recent stories a slot's digests are planned from (the same story ids `/digest` shows)."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.delivery.selection import Planner
from bot.digests import assign_stories, group_stories, to_article
from bot.storage.models import ArticleRow
from summarizer.digest import DigestOptions
from summarizer.embeddings import Embedder
from summarizer.types import Story


def recent_stories(engine: Engine, embedder: Embedder, config: Config, limit: int = 500) -> list[Story]:
    with Session(engine) as session:
        rows = session.scalars(
            select(ArticleRow).order_by(ArticleRow.published.desc(), ArticleRow.fetched.desc()).limit(limit)
        ).all()
        articles = [to_article(r) for r in rows]
    membership = assign_stories(engine, embedder, config, articles)
    return group_stories(articles, membership)


def make_planner(engine: Engine, embedder: Embedder, config: Config) -> Planner:
    d = config.digest
    options = DigestOptions(
        max_sentences=d.max_sentences, max_chars=d.max_chars, include_quotes=d.quotes, max_quotes=d.max_quotes
    )
    return Planner(recent_stories(engine, embedder, config), embedder, options, d.max_stories)
