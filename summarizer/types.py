"""The one data model that flows through newsdigest: Article -> Story -> Digest / Answer.

Everything here is plain, immutable data so that the text core stays pure and the adapters only
translate these objects to and from a platform.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Article:
    """One cleaned article as the text core sees it."""

    id: str
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    place: str | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, with its character offsets in `Article.text`."""

    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class QuoteMention:
    """A direct quotation found in one article.

    Offsets are character offsets in the text that was given to the extractor; `spans` lists the
    pieces of a quote interrupted by its attribution (one piece otherwise), without the quote marks.
    """

    text: str
    start: int
    end: int
    spans: tuple[tuple[int, int], ...]
    speaker: str | None
    speaker_mention: tuple[int, int] | None


@dataclass(frozen=True)
class Quote:
    """A quotation of a story, deduplicated across outlets: one quote, all its sources."""

    id: str
    text: str
    speaker: str | None
    sources: tuple[str, ...]
    also_reported_as: tuple[str, ...] = ()
    # ids every wording merged into this quote would have on its own (fragments, fuller copies,
    # paraphrases): a channel sent one of them has been sent this quote (not part of the JSON contract)
    merged_ids: tuple[str, ...] = ()

    def known_as(self, ids: AbstractSet[str]) -> bool:
        """Whether any of `ids` (quotes already sent) is this quote or a wording merged into it."""
        return self.id in ids or not ids.isdisjoint(self.merged_ids)


@dataclass(frozen=True)
class Story:
    """Articles about the same event from different outlets."""

    id: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class SummarySentence:
    """A digest sentence with the ids of the articles that support it."""

    id: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StoryDigest:
    """What a subscriber reads about one story."""

    story_id: str
    headline: str
    summary: tuple[SummarySentence, ...]
    quotes: tuple[Quote, ...]
    articles: tuple[Article, ...]
    is_update: bool = False


@dataclass(frozen=True)
class Citation:
    article_id: str
    outlet: str | None
    url: str | None
    snippet: str


@dataclass(frozen=True)
class Answer:
    """A grounded answer to a follow-up question; `answered` is False for an honest refusal."""

    question: str
    answered: bool
    answer: str
    citations: tuple[Citation, ...] = ()
