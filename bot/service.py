"""The application façade the chat layer talks to: digests, answers and sources, nothing platform-specific.

Adapters and commands call these methods; they never reach into the store or the text core directly,
so a platform adapter only translates.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.ask.index import AskIndex
from bot.config import Config
from bot.delivery.selection import keyword_pattern, story_matches
from bot.digests import assign_stories, digest_stories, group_stories, to_article
from bot.embedding_store import StoreCachedEmbedder
from bot.ingestion import open_source
from bot.ingestion.pipeline import IngestReport, ingest
from bot.ops import metrics
from bot.storage.models import ArticleRow, SourceRow
from summarizer.embeddings import Embedder
from summarizer.types import Answer, StoryDigest


class Newsroom:
    """Everything the bot knows and can do, over one store."""

    def __init__(self, config: Config, engine: Engine, model: Embedder | None = None) -> None:
        self.config = config
        self.engine = engine
        self.embedder = StoreCachedEmbedder(engine, config.models,
                                            cache_dir=str(config.store.data_dir / "models"), inner=model)
        self._ask_index: AskIndex | None = None

    def ingest(self, locations: Sequence[str] | None = None, progress: bool = False) -> IngestReport:
        locs = list(locations) if locations else self.source_locations()
        return ingest(self.engine, [open_source(loc, self.config.fetch) for loc in locs], progress=progress)

    def source_locations(self) -> list[str]:
        with Session(self.engine) as session:
            stored = session.scalars(select(SourceRow.location).where(SourceRow.active)).all()
        return list(dict.fromkeys([*self.config.sources.locations, *stored]))

    @metrics.DIGEST_SECONDS.labels("command").time()
    def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]:
        """Digests of the most recent stories (optionally only those matching any keyword)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ArticleRow).order_by(ArticleRow.published.desc(),
                                                               ArticleRow.fetched.desc()).limit(500)).all()
            articles = [to_article(r) for r in rows]
        membership = assign_stories(self.engine, self.embedder, self.config, articles)
        stories = group_stories(articles, membership)
        pattern = keyword_pattern(keywords)  # whole words, never user-supplied regular expressions
        stories = [s for s in stories if story_matches(s, pattern)]
        return digest_stories(stories[: limit or self.config.digest.max_stories], self.embedder, self.config)

    def ask(self, question: str, story_id: str | None = None) -> Answer:
        """A grounded answer from the coverage (that story's articles first), or an honest refusal."""
        from bot.ask.service import answer

        if self._ask_index is None:
            self._ask_index = AskIndex(self.engine, self.embedder, model=self.embedder.model_key)
        return answer(self, self._ask_index, question, story_id)
