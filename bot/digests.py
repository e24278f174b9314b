"""From stored articles to digests: story assignment (persisted, incremental) and summarising.

Story membership lives in the store, so story ids stay stable across runs and a new article joins the
story it belongs to instead of re-clustering everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot import story_state
from bot.config import Config
from bot.llm import make_rewriter
from bot.storage.models import ArticleRow, StoryArticleRow, StoryRow, utcnow
from summarizer.digest import DigestOptions, summarize_story
from summarizer.embeddings import Embedder
from summarizer.generative import rewrite_digest
from summarizer.quote_merge import merge_quotes
from summarizer.quotes import extract_quotes
from summarizer.stories import arrival_order
from summarizer.types import Article, Story, StoryDigest


def to_article(row: ArticleRow) -> Article:
    published = row.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)  # SQLite drops the zone; stored values are UTC
    return Article(id=row.id, title=row.title, text=row.text, outlet=row.outlet, url=row.url,
                   published=published, place=row.place, language=row.language, metadata=dict(row.meta))


def load_articles(engine: Engine, ids: Sequence[str]) -> list[Article]:
    """The articles with these ids, in the given order (unknown ids are left out)."""
    with Session(engine) as session:
        rows = {r.id: r for r in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(list(ids))))}
        return [to_article(rows[i]) for i in dict.fromkeys(ids) if i in rows]


def assign_stories(engine: Engine, embedder: Embedder, config: Config,
                   articles: Sequence[Article]) -> dict[str, str]:
    """Article id -> story id; articles not yet in a story join one (or start one) incrementally."""
    ids = [a.id for a in articles]
    with Session(engine) as session:
        known = _assigned(session, ids)
        todo = sorted((a for a in articles if a.id not in known), key=arrival_order)
        if not todo:
            return known
        loaded = story_state.load(session, embedder, timedelta(hours=config.stories.window_hours),
                                  model=config.models.key)
        known.update(_assigned(session, [a.id for a in todo]))  # under the lock: another worker's poll
        todo = [a for a in todo if a.id not in known]
        story_ids = loaded.clusterer.add_many(todo)
        now = utcnow()
        touched = set(story_ids)
        existing = set(session.scalars(select(StoryRow.id).where(StoryRow.id.in_(touched))))
        session.add_all(StoryRow(id=sid, created=now, updated=now) for sid in sorted(touched - existing))
        if existing:
            session.execute(update(StoryRow).where(StoryRow.id.in_(existing)).values(updated=now))
        session.flush()
        pairs = [(a.id, sid) for a, sid in zip(todo, story_ids, strict=True)]
        session.add_all(StoryArticleRow(article_id=aid, story_id=sid) for aid, sid in pairs)
        known.update(pairs)
        story_state.save(session, loaded)
        session.commit()
    story_state.keep(engine, loaded)
    return known


def _assigned(session: Session, ids: Sequence[str]) -> dict[str, str]:
    rows = select(StoryArticleRow.article_id, StoryArticleRow.story_id)
    return {article_id: story_id for article_id, story_id in
            session.execute(rows.where(StoryArticleRow.article_id.in_(ids)))}


def group_stories(articles: Sequence[Article], membership: dict[str, str]) -> list[Story]:
    """Stories from a membership map, biggest and most recent first; articles in arrival order."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[membership[article.id]].append(article)
    stories = [Story(id=sid, articles=tuple(sorted(arts, key=arrival_order)))
               for sid, arts in groups.items()]
    return sorted(stories, key=lambda s: (-len(s.articles), -arrival_order(s.articles[-1])[0].timestamp(),
                                          s.id))


def field_membership(articles: Sequence[Article], field: str) -> dict[str, str]:
    """Story grouping taken from an input field (`--group-by`), e.g. a dataset's gold story id."""
    out = {}
    for article in articles:
        value = article.metadata.get(field, getattr(article, field, None))
        out[article.id] = str(value) if value not in (None, "") else article.id
    return out


def digest_stories(stories: Sequence[Story], embedder: Embedder, config: Config,
                   all_quotes: bool = False) -> list[StoryDigest]:
    """Digests of `stories`; `all_quotes` lists every quote of a story (the JSON contract) instead of
    the top `digest.max_quotes` a chat message shows."""
    options = DigestOptions(max_sentences=config.digest.max_sentences, max_chars=config.digest.max_chars,
                            include_quotes=config.digest.quotes,
                            max_quotes=1000 if all_quotes else config.digest.max_quotes)
    rewriter = make_rewriter(config.digest)
    digests = []
    for story in stories:
        quotes = merge_quotes({a.id: extract_quotes(a.text) for a in story.articles})
        digest = summarize_story(story, embedder, quotes=quotes, options=options)
        if rewriter is not None:  # guarded: falls back to the extractive sentences on any doubt
            digest = rewrite_digest(digest, rewriter, name=config.digest.backend)
        digests.append(digest)
    return digests
