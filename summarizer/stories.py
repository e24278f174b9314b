"""Incremental story clustering: each new article joins the story of the same event or starts one.

Two signals decide. Sentence embeddings say "same kind of news"; weighted names, numbers and content
words (TF-IDF with document frequencies learnt from the stream itself) say "same event" - they keep
two earthquakes or two rehab check-ins apart. A batch of arrivals is grouped by average-linkage
agglomerative clustering, seeded with the open stories (which may grow but never merge or split):
a newcomer joins a story only when it is close to the story *as a whole* (the average over all its
members), so a story never grows by chaining A-B-C, and the result does not depend on the order in
which a batch arrived. Similarities are corrected for "hubness" (CSLS): an article that resembles
everything (a short generic lede, a wire-style round-up) has its similarities lowered by how close it
is to its nearest neighbours, so the threshold means the same for long and short texts. Publication
dates bound a story in time: a newcomer must fall within `window` of the story's span. Stories idle
for longer than the window are closed and dropped from the state, which keeps it bounded.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from summarizer.embeddings import Embedder
from summarizer.keywords import WORD_PREFIX, cosine_matrix, event_terms, tfidf, word_terms
from summarizer.types import Article, Story

STATE_VERSION = 2
EMBED_CHARS = 1200  # title + lead: the event is stated up front; the tail adds background and cost
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ClusterSettings:
    """How similar two articles must be to share a story.

    Pair similarity is `semantic * cosine(embeddings) + words * cosine(plain-word TF-IDF) +
    (1 - semantic - words) * cosine(TF-IDF of names, numbers and content words)`, minus
    `hub` times the mean of the two articles' hub scores (each one's average similarity to its
    `hub_k` nearest neighbours in the pool; in a pool too small to have them, the missing ones count
    as `hub_prior`, a typical nearest-neighbour similarity in a day of news). Average-linkage clustering
    merges while the average pair similarity between two groups is at least `join`, and never when
    their worst pair is below `min_link` (a guard against chaining that only matters for loose
    settings: average linkage itself does not chain).
    """

    semantic: float = 0.4
    words: float = 0.3
    hub: float = 0.5
    hub_k: int = 3
    hub_prior: float = 0.5
    join: float = 0.10
    min_link: float = -0.1
    max_terms: int = 200_000

    def blend(self, emb: np.ndarray, terms: np.ndarray, words: np.ndarray) -> np.ndarray:
        return self.semantic * emb + self.words * words + (1.0 - self.semantic - self.words) * terms


@dataclass
class _Member:
    article_id: str
    vector: np.ndarray
    terms: dict[str, float]
    published: datetime | None
    weights: tuple[dict[str, float], dict[str, float]] = field(default_factory=lambda: ({}, {}))
    weights_at: int = -1


@dataclass
class _Story:
    id: str
    members: list[_Member]


def story_id_for(article_id: str) -> str:
    """A story is named after its founding article, so replaying the same input gives the same ids."""
    return "story-" + hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).hexdigest()


def embed_text(article: Article) -> str:
    body = article.text[:EMBED_CHARS]
    return f"{article.title}\n{body}" if article.title else body


def arrival_order(article: Article) -> tuple[datetime, str]:
    """Articles are processed by publication time, ties (and undated articles) by id."""
    published = article.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (published or _EPOCH, article.id)


class StoryClusterer:
    """Groups articles into stories one at a time; `to_dict` / `from_dict` carry the state across runs."""

    def __init__(self, embedder: Embedder, window: timedelta = timedelta(hours=72),
                 settings: ClusterSettings | None = None) -> None:
        self.embedder = embedder
        self.window = window
        self.settings = settings or ClusterSettings()
        self._stories: list[_Story] = []
        self._by_article: dict[str, str] = {}
        self._articles: dict[str, Article] = {}  # this session's articles (not part of the state)
        self._session: dict[str, str] = {}
        self._df: Counter[str] = Counter()
        self._n_docs = 0
        self._latest: datetime | None = None

    # -- public API -------------------------------------------------------------------------------

    def add(self, article: Article) -> str:
        """The story id of `article` (joining an open story or founding a new one)."""
        return self.add_many([article])[0]

    def add_many(self, articles: Sequence[Article]) -> list[str]:
        """Story ids in the order given. The new articles are embedded in one batch and clustered
        together with the open stories, so the outcome does not depend on their order."""
        known = self._by_article.keys() | self._session.keys()
        todo = sorted({a.id: a for a in articles if a.id not in known}.values(), key=arrival_order)
        if todo:
            vectors = np.asarray(self.embedder.embed([embed_text(a) for a in todo]), dtype=np.float32)
            self._cluster([self._member(a, v) for a, v in zip(todo, vectors, strict=True)])
        result = [self._session.get(a.id) or self._by_article[a.id] for a in articles]
        self._close_idle()
        return result

    def stories(self) -> list[Story]:
        """Stories of the articles added through this instance, closed ones included, in founding order
        (members restored by `from_dict` carry no text and are left out)."""
        groups: dict[str, list[Article]] = {}
        for article_id, story_id in self._session.items():
            groups.setdefault(story_id, []).append(self._articles[article_id])
        return [Story(id=sid, articles=tuple(sorted(arts, key=arrival_order)))
                for sid, arts in groups.items()]

    def assignments(self) -> dict[str, str]:
        """Article id -> story id for every article of an open story."""
        return dict(self._by_article)

    # -- clustering -------------------------------------------------------------------------------

    def _member(self, article: Article, vector: np.ndarray) -> _Member:
        published = arrival_order(article)[0] if article.published is not None else None
        terms = event_terms(article.title, article.text) | word_terms(article.title, article.text)
        self._df.update(terms.keys())
        self._n_docs += 1
        self._articles[article.id] = article
        if published is not None and (self._latest is None or published > self._latest):
            self._latest = published
        # float16 as in the saved state, so a restored run decides exactly like an uninterrupted one
        return _Member(article.id, vector.astype(np.float16).astype(np.float32), terms, published)

    def _cluster(self, batch: list[_Member]) -> None:
        """Average-linkage clustering of the batch, seeded with the open stories as fixed groups."""
        old = self._stories
        members = [m for st in old for m in st.members] + batch
        sizes = [len(st.members) for st in old] + [1] * len(batch)
        groups = average_linkage(self._similarity(members), sizes, len(old),
                                 [_timestamp(m.published) for m in members],
                                 self.window.total_seconds(), self.settings.join, self.settings.min_link)
        offset = sum(sizes[: len(old)])
        founded: dict[int, list[_Member]] = {}
        for i, member in enumerate(batch):
            group = groups[offset + i]
            if group < len(old):
                old[group].members.append(member)
                old[group].members.sort(key=_member_order)
            else:
                founded.setdefault(group, []).append(member)
        for group_members in sorted(founded.values(), key=lambda ms: _member_order(ms[0])):
            old.append(_Story(story_id_for(group_members[0].article_id), group_members))
        for story in old:
            for member in story.members:
                if member.article_id in self._articles:
                    self._session[member.article_id] = story.id
                self._by_article[member.article_id] = story.id

    def _similarity(self, members: list[_Member]) -> np.ndarray:
        """Pairwise blended similarity with the hubness (CSLS) correction; the diagonal is unused."""
        s = self.settings
        vectors = np.stack([m.vector for m in members])
        weights = [self._weights(m) for m in members]
        sims = s.blend(vectors @ vectors.T, cosine_matrix([w[0] for w in weights]),
                       cosine_matrix([w[1] for w in weights]))
        if s.hub:
            others = sims.copy()
            np.fill_diagonal(others, -np.inf)
            k = min(s.hub_k, len(members) - 1)  # an empty pool leaves only the prior
            nearest = np.clip(np.partition(others, -k, axis=1)[:, -k:], 0.0, None) if k else others[:, :0]
            hubness = (nearest.sum(axis=1) + (s.hub_k - k) * s.hub_prior) / s.hub_k
            sims = sims - s.hub * (hubness[:, None] + hubness[None, :]) / 2.0
        return np.asarray(sims, dtype=np.float64)

    def _weights(self, member: _Member) -> tuple[dict[str, float], dict[str, float]]:
        """The two TF-IDF vectors of a member (event terms, plain words) under the current document
        frequencies (computed once per batch)."""
        if member.weights_at != self._n_docs:
            event = {t: w for t, w in member.terms.items() if not t.startswith(WORD_PREFIX)}
            words = {t: w for t, w in member.terms.items() if t.startswith(WORD_PREFIX)}
            member.weights = (tfidf(event, self._df, self._n_docs), tfidf(words, self._df, self._n_docs))
            member.weights_at = self._n_docs
        return member.weights

    def _close_idle(self) -> None:
        """Drop stories whose last article is more than a window older than the newest one seen."""
        if self._latest is None:
            return
        horizon = self._latest - self.window
        keep = []
        for story in self._stories:
            dates = [m.published for m in story.members if m.published is not None]
            if dates and max(dates) < horizon:
                for m in story.members:
                    self._by_article.pop(m.article_id, None)
            else:
                keep.append(story)
        self._stories = keep
        if len(self._df) > self.settings.max_terms:
            self._df = Counter({t: c for t, c in self._df.items() if c > 1})

    # -- state --------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The state as plain JSON types (vectors as base64 float16)."""
        return {
            "version": STATE_VERSION,
            "window_seconds": self.window.total_seconds(),
            "settings": {k: getattr(self.settings, k) for k in ClusterSettings.__dataclass_fields__},
            "n_docs": self._n_docs,
            "df": dict(self._df),
            "latest": self._latest.isoformat() if self._latest else None,
            "stories": [{"id": st.id, "members": [_member_to_dict(m) for m in st.members]}
                        for st in self._stories],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], embedder: Embedder) -> StoryClusterer:
        version = data.get("version")
        if version not in (1, STATE_VERSION):
            raise ValueError(f"unsupported story-clusterer state version {version!r}")
        # version 1 thresholds were on another scale: its stories and members carry over, not its settings
        known = ClusterSettings.__dataclass_fields__
        saved = data.get("settings", {}) if version == STATE_VERSION else {}
        settings = ClusterSettings(**{k: v for k, v in saved.items() if k in known})
        self = cls(embedder, window=timedelta(seconds=float(data["window_seconds"])), settings=settings)
        self._n_docs = int(data["n_docs"])
        self._df = Counter({str(k): int(v) for k, v in data["df"].items()})
        self._latest = datetime.fromisoformat(data["latest"]) if data.get("latest") else None
        for st in data["stories"]:
            story = _Story(str(st["id"]), [_member_from_dict(m) for m in st["members"]])
            self._stories.append(story)
            for m in story.members:
                self._by_article[m.article_id] = story.id
        return self


def _member_order(m: _Member) -> tuple[datetime, str]:
    return (m.published or _EPOCH, m.article_id)


def _member_to_dict(m: _Member) -> dict[str, Any]:
    return {"id": m.article_id, "vector": base64.b64encode(m.vector.astype(np.float16).tobytes()).decode(),
            "terms": m.terms, "published": m.published.isoformat() if m.published else None}


def _member_from_dict(d: dict[str, Any]) -> _Member:
    vector = np.frombuffer(base64.b64decode(d["vector"]), dtype=np.float16).astype(np.float32)
    published = datetime.fromisoformat(d["published"]) if d.get("published") else None
    return _Member(str(d["id"]), vector, {str(k): float(v) for k, v in d["terms"].items()}, published)


def _timestamp(when: datetime | None) -> float:
    return when.timestamp() if when is not None else math.nan


def average_linkage(sims: np.ndarray, sizes: Sequence[int], n_fixed: int, times: Sequence[float],
                    window: float, join: float, min_link: float) -> list[int]:
    """The final group of every row of `sims`, whose rows come grouped: `sizes` gives the initial
    groups in order, the first `n_fixed` of which are existing stories (they may absorb others but
    never merge with each other; each keeps its own index). Two groups merge, best pair first, while
    their average pair similarity is >= `join`, their worst pair >= `min_link`, and their date spans
    (`times` in seconds, NaN when undated) lie within `window` of each other."""
    starts = np.cumsum([0, *sizes[:-1]])
    total = np.add.reduceat(np.add.reduceat(sims, starts, axis=0), starts, axis=1)
    worst = np.minimum.reduceat(np.minimum.reduceat(sims, starts, axis=0), starts, axis=1)
    count = np.asarray(sizes, dtype=np.float64)
    stamps = np.asarray(times, dtype=np.float64)
    with np.errstate(all="ignore"):  # all-NaN groups (undated) are fine: NaN compares as "in window"
        first = np.fmin.reduceat(stamps, starts)
        last = np.fmax.reduceat(stamps, starts)
    fixed = np.arange(len(sizes)) < n_fixed
    alive = np.ones(len(sizes), dtype=bool)

    def row(i: int) -> np.ndarray:
        score = total[i] / (count[i] * count)
        gap = np.maximum(first - last[i], first[i] - last)
        bad = ~alive | (worst[i] < min_link) | (gap > window) | (fixed & fixed[i])
        bad[i] = True
        return np.where(bad, -np.inf, score)

    scores = np.stack([row(i) for i in range(len(sizes))]) if len(sizes) else np.zeros((0, 0))
    parent = np.arange(len(sizes))
    while scores.size:
        best = int(np.argmax(scores))
        i, j = divmod(best, len(sizes))
        if scores[i, j] < join:
            break
        keep, gone = (j, i) if fixed[j] or (not fixed[i] and j < i) else (i, j)
        total[keep] += total[gone]
        total[:, keep] += total[:, gone]
        worst[keep] = np.minimum(worst[keep], worst[gone])
        worst[:, keep] = worst[keep]
        count[keep] += count[gone]
        first[keep] = np.fmin(first[keep], first[gone])
        last[keep] = np.fmax(last[keep], last[gone])
        fixed[keep] |= fixed[gone]
        alive[gone] = False
        parent[parent == gone] = keep
        scores[gone] = -np.inf
        scores[:, gone] = -np.inf
        scores[keep] = row(keep)
        scores[:, keep] = scores[keep]
    return [int(parent[g]) for g, size in enumerate(sizes) for _ in range(size)]
