"""/ask over the store: keep the passage index in step with stored articles, then answer.

Articles are indexed lazily (the first question after an ingest embeds what is new), so ingestion
itself never needs the model; a question about a story searches that story's articles first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ask import AskIndex, ask
from bot.ask.index import ARTICLES
from bot.digests import to_article
from bot.ops import metrics
from bot.storage.models import ArticleRow, StoryArticleRow
from summarizer.types import Answer

if TYPE_CHECKING:
    from bot.service import Newsroom

_BATCH = 200


def sync_index(news: Newsroom, index: AskIndex) -> int:
    """Index every stored article the index does not hold yet (all of them after a change of the
    embedding model or of the index format); returns how many were added."""
    index.ensure_current()
    done = 0
    indexed = select(ARTICLES.c.article_id)
    while True:
        with Session(news.engine) as session:
            rows = session.scalars(select(ArticleRow).where(ArticleRow.id.not_in(indexed))
                                   .order_by(ArticleRow.id).limit(_BATCH)).all()
            articles = [to_article(r) for r in rows]
        if not articles:
            return done
        done += index.add_articles(articles)


def story_articles(news: Newsroom, story_id: str) -> set[str]:
    with Session(news.engine) as session:
        return set(session.scalars(select(StoryArticleRow.article_id)
                                   .where(StoryArticleRow.story_id == story_id)))


@metrics.ASK_SECONDS.time()
def answer(news: Newsroom, index: AskIndex, question: str, story_id: str | None = None) -> Answer:
    sync_index(news, index)
    in_story = story_articles(news, story_id) if story_id else None
    return ask(index, question, story_article_ids=in_story or None)
