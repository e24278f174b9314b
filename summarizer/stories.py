"""Incremental story clustering: each new article joins the story of the same event or starts one.

Two signals decide. Sentence embeddings say "same kind of news"; weighted names, numbers and content
words (TF-IDF with document frequencies learnt from the stream itself) say "same event" - they keep
two earthquakes or two rehab check-ins apart. An article joins a story only when it is close to the
story *as a whole* (its centroid) and, on average and at worst, to its members, so a story never grows
by chaining A-B-C. Publication dates bound a story in time: a newcomer must fall within `window` of
the story's span. Stories idle for longer than the window are closed and dropped from the state,
which keeps the serialised state bounded.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from summarizer.embeddings import Embedder
from summarizer.keywords import cosine, event_terms, mean_vector, tfidf
from summarizer.types import Article, Story

STATE_VERSION = 1
EMBED_CHARS = 1200  # title + lead: the event is stated up front; the tail adds background and cost
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ClusterSettings:
    """Thresholds on the blended similarity `semantic * cosine(embeddings) + (1 - semantic) * cosine(terms)`.

    `join`: newcomer vs story centroid; `mean_link` / `min_link`: average and worst similarity to the
    story's members (the no-chaining guard); `floor`: embedding similarity below which a story is
    not even scored (speed only). `refine_rounds`: passes over a batch after the first, in which each
    new article may move to a story that fits it better now that later articles have arrived (earlier
    batches and restored members never move).
    """

    semantic: float = 0.4
    join: float = 0.38
    mean_link: float = 0.30
    min_link: float = 0.15
    floor: float = 0.25
    max_terms: int = 200_000
    refine_rounds: int = 2

    def blend(self, emb: float, terms: float) -> float:
        return self.semantic * emb + (1.0 - self.semantic) * terms


@dataclass
class _Member:
    article_id: str
    vector: np.ndarray
    terms: dict[str, float]
    published: datetime | None
    weights: dict[str, float] = field(default_factory=dict)
    weights_at: int = -1


@dataclass
class _Story:
    id: str
    members: list[_Member]

    def span(self) -> tuple[datetime | None, datetime | None]:
        dates = [m.published for m in self.members if m.published is not None]
        return (min(dates), max(dates)) if dates else (None, None)


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
        """Story ids in the order given; articles are processed in arrival order, embedded in one batch."""
        known = self._by_article.keys() | self._session.keys()
        todo = sorted({a.id: a for a in articles if a.id not in known}.values(), key=arrival_order)
        vectors = self.embedder.embed([embed_text(a) for a in todo]) if todo else None
        before = {st.id for st in self._stories}
        batch = []
        for i, article in enumerate(todo):
            assert vectors is not None
            batch.append(self._add_one(article, np.asarray(vectors[i], dtype=np.float32)))
        if len(batch) > 1:
            self._refine(batch, before)
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

    def _add_one(self, article: Article, vector: np.ndarray) -> _Member:
        published = arrival_order(article)[0] if article.published is not None else None
        terms = event_terms(article.title, article.text)
        self._df.update(terms.keys())
        self._n_docs += 1
        # float16 as in the saved state, so a restored run decides exactly like an uninterrupted one
        member = _Member(article.id, vector.astype(np.float16).astype(np.float32), terms, published)
        target = self._best_story(member)
        if target is None:
            target = _Story(story_id_for(article.id), [])
            self._stories.append(target)
        target.members.append(member)
        self._by_article[article.id] = target.id
        self._session[article.id] = target.id
        self._articles[article.id] = article
        if published is not None and (self._latest is None or published > self._latest):
            self._latest = published
        return member

    def _refine(self, batch: list[_Member], old: set[str]) -> None:
        """Let this batch's articles move to the story that fits them best now (a one-pass order effect:
        an early article may have joined a look-alike event before its own story existed). Stories
        founded in this batch are then named after their earliest remaining member."""
        owner = {id(m): st for st in self._stories for m in st.members}
        for _ in range(self.settings.refine_rounds):
            moved = False
            for member in batch:
                home = owner[id(member)]
                home.members.remove(member)
                if not home.members:
                    self._stories.remove(home)
                target = self._best_story(member)
                if target is None:
                    target = home if not home.members else _Story(story_id_for(member.article_id), [])
                    if target not in self._stories:
                        self._stories.append(target)
                target.members.append(member)
                target.members.sort(key=_member_order)
                owner[id(member)] = target
                moved = moved or target is not home
            if not moved:
                break
        for story in self._stories:
            if story.id not in old:
                story.id = story_id_for(story.members[0].article_id)
        self._stories.sort(key=lambda st: _member_order(st.members[0]))
        for member in batch:
            self._by_article[member.article_id] = owner[id(member)].id
            self._session[member.article_id] = owner[id(member)].id

    def _weights(self, member: _Member) -> dict[str, float]:
        """TF-IDF of a member under the current document frequencies (computed once per newcomer)."""
        if member.weights_at != self._n_docs:
            member.weights = tfidf(member.terms, self._df, self._n_docs)
            member.weights_at = self._n_docs
        return member.weights

    def _in_window(self, story: _Story, when: datetime | None) -> bool:
        first, last = story.span()
        if when is None or first is None or last is None:
            return True
        return first - self.window <= when <= last + self.window

    def _best_story(self, new: _Member) -> _Story | None:
        s = self.settings
        best: tuple[float, _Story] | None = None
        mine = self._weights(new)
        for story in self._stories:
            if not self._in_window(story, new.published):
                continue
            matrix = np.stack([m.vector for m in story.members])
            centroid = matrix.mean(axis=0)
            emb_centroid = float(centroid @ new.vector) / (float(np.linalg.norm(centroid)) or 1.0)
            if emb_centroid < s.floor:
                continue
            theirs = [self._weights(m) for m in story.members]
            score = s.blend(emb_centroid, cosine(mine, mean_vector(theirs)))
            if score < s.join or (best is not None and score <= best[0]):
                continue
            sims = matrix @ new.vector
            links = [s.blend(float(e), cosine(mine, w)) for e, w in zip(sims, theirs, strict=True)]
            if sum(links) / len(links) >= s.mean_link and min(links) >= s.min_link:
                best = (score, story)
        return best[1] if best else None

    def _close_idle(self) -> None:
        """Drop stories whose last article is more than a window older than the newest one seen."""
        if self._latest is None:
            return
        horizon = self._latest - self.window
        keep = []
        for story in self._stories:
            last = story.span()[1]
            if last is not None and last < horizon:
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
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported story-clusterer state version {data.get('version')!r}")
        settings = ClusterSettings(**data.get("settings", {}))
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
