"""Tables of the store. Schema changes go through Alembic (`bot/migrations`), never `create_all`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class SourceRow(Base):
    """Somewhere articles come from: a file or directory, a feed, a page, an OPML list."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_fetched: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleRow(Base):
    """One article, stored once however many outlets or fetches delivered it."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    outlet: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[datetime | None]
    fetched: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    raw_text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)

    sources: Mapped[list[ArticleSourceRow]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleSourceRow.id"
    )


class ArticleSourceRow(Base):
    """Every place an article was seen: its own fetch, a re-fetch under another URL, a syndication."""

    __tablename__ = "article_sources"
    __table_args__ = (UniqueConstraint("article_id", "origin", name="uq_article_origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(2048))
    item_id: Mapped[str | None] = mapped_column(String(256))
    outlet: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(String(2048))
    seen: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[ArticleRow] = relationship(back_populates="sources")


class EmbeddingRow(Base):
    """Embedding cache keyed by model and content hash, so nothing is embedded twice across runs."""

    __tablename__ = "embeddings"

    model: Mapped[str] = mapped_column(String(256), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class StoryRow(Base):
    """A story: articles about one event. Membership lives in `story_articles`."""

    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow)


class StoryArticleRow(Base):
    __tablename__ = "story_articles"
    __table_args__ = (Index("ix_story_articles_story", "story_id"),)

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[str] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))


class StoryMemberRow(Base):
    """An open story's member as the story clusterer keeps it (vector, terms, neighbours)."""

    __tablename__ = "story_members"

    article_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict[str, Any]]  # vector, terms, date
    nearest: Mapped[list[float]] = mapped_column(JSON)  # rewritten far more often than the record


class StoryTermRow(Base):
    """Document frequency of one term in the story clusterer's stream."""

    __tablename__ = "story_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int]


class StateRow(Base):
    """Named JSON state of incremental components (the story clusterer)."""

    __tablename__ = "state"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
