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

A batch costs its own rows only (newcomers x open members): open stories never merge with each other,
so their mutual similarities are never needed, except for hub scores - each member keeps its best
`hub_k` similarities, updated with every batch's newcomers (and not re-scored when document
frequencies drift).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from summarizer.embeddings import Embedder
from summarizer.keywords import event_terms, word_terms
from summarizer.linkage import link_groups
from summarizer.story_members import (
    EPOCH,
    Member,
    StateChanges,
    descending,
    member_from_record,
    member_order,
    member_record,
    nearest_record,
)
from summarizer.story_terms import PoolTerms
from summarizer.types import Article, Story

STATE_VERSION = 3  # 3: members keep their nearest-neighbour similarities (hub scores)
EMBED_CHARS = 1200  # title + lead: the event is stated up front; the tail adds background and cost


@dataclass(frozen=True)
class ClusterSettings:
    """How similar two articles must be to share a story.

    Pair similarity is `semantic * cosine(embeddings) + words * cosine(plain-word TF-IDF) +
    (1 - semantic - words) * cosine(TF-IDF of names, numbers and content words)`, minus
    `hub` times the mean of the two articles' hub scores (each one's average similarity to its
    `hub_k` nearest neighbours in the pool; in a pool too small to have them, the missing ones count
    as `hub_prior`, a typical nearest-neighbour similarity in a day of news). A pool of fewer than
    `hub_pool` articles shrinks every hub score toward the prior in proportion (weight pool size /
    `hub_pool`): early in a stream an article's own story has mostly not arrived yet, so its nearest
    neighbours in the pool understate its hubness and it would join the closest wrong story.
    Average-linkage clustering merges while the average pair similarity between two groups is at
    least `join`, and never when their worst pair is below `min_link` (a guard against chaining that
    only matters for loose settings: average linkage itself does not chain).
    """

    semantic: float = 0.4
    words: float = 0.3
    hub: float = 0.5
    hub_k: int = 3
    hub_prior: float = 0.5
    hub_pool: int = 200
    join: float = 0.10
    min_link: float = -0.1
    max_terms: int = 200_000

    def blend(self, emb: np.ndarray, terms: np.ndarray, words: np.ndarray) -> np.ndarray:
        return self.semantic * emb + self.words * words + (1.0 - self.semantic - self.words) * terms


@dataclass
class _Story:
    id: str
    members: list[Member]


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
    return (published or EPOCH, article.id)


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
        self._changes = StateChanges()  # since the last `take_changes` (not part of the state)
        self._terms = PoolTerms()  # the open pool's TF-IDF rows (not part of the state)

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

    def take_changes(self, everything: bool = False) -> StateChanges:
        """What changed in the state since the last call (or since construction; with `everything`,
        the whole state), so a store can write a batch's worth of records instead of the whole
        state; resets the record."""
        changes, self._changes = self._changes, StateChanges()
        changes.header = self.to_dict(members=False)
        by_id = {m.article_id: (st.id, m) for st in self._stories for m in st.members}
        if everything:
            changes.dirty, changes.df_reset = set(by_id), True
        changes.members = [(by_id[a][0], member_record(by_id[a][1])) for a in sorted(changes.dirty)
                           if a in by_id]
        moved = sorted(changes.moved - changes.dirty)
        changes.nearest = [(a, nearest_record(by_id[a][1])) for a in moved if a in by_id]
        changes.df = dict(self._df) if changes.df_reset else {t: self._df.get(t, 0) for t in changes.terms}
        return changes

    def forget_session(self) -> None:
        """Drop the articles added so far (`stories()` starts afresh): a long-lived instance keeps
        only its state, not every text it has seen."""
        self._articles.clear()
        self._session.clear()

    # -- clustering -------------------------------------------------------------------------------

    def _member(self, article: Article, vector: np.ndarray) -> Member:
        published = arrival_order(article)[0] if article.published is not None else None
        terms = event_terms(article.title, article.text) | word_terms(article.title, article.text)
        self._df.update(terms.keys())
        self._changes.terms.update(terms.keys())
        self._terms.moved(terms.keys())
        self._n_docs += 1
        self._articles[article.id] = article
        if published is not None and (self._latest is None or published > self._latest):
            self._latest = published
        # float16 as in the saved state, so a restored run decides exactly like an uninterrupted one
        return Member(article.id, vector.astype(np.float16).astype(np.float32), terms, published)

    def _cluster(self, batch: list[Member]) -> None:
        """Average-linkage clustering of the batch, seeded with the open stories as fixed groups."""
        old = self._stories
        pool = [m for st in old for m in st.members]
        self._recall_neighbours(pool)
        n_old = len(pool)
        pool += batch
        sims = self._rows(pool, np.arange(n_old, len(pool)))
        s = self.settings
        own = sims.copy()
        own[np.arange(len(batch)), n_old + np.arange(len(batch))] = -np.inf
        top = _top(own, min(s.hub_k, len(pool) - 1))
        known = [m.nearest for m in pool[:n_old] if m.nearest is not None]  # all, after the recall
        before = np.stack(known) if known else np.zeros((0, s.hub_k), dtype=np.float32)
        records = descending(_top(np.hstack([before, sims[:, :n_old].T]), s.hub_k), s.hub_k)  # and newcomers
        for i in np.flatnonzero((records != before).any(axis=1)):
            pool[i].nearest = records[i].copy()
            self._changes.moved.add(pool[i].article_id)
        for member, near in zip(batch, descending(top, s.hub_k), strict=True):
            member.nearest = near
        self._changes.dirty.update(m.article_id for m in batch)
        if s.hub:
            hubness = np.concatenate([self._hubness(records, len(pool)), self._hubness(top, len(pool))])
            sims = sims - s.hub * (hubness[n_old:, None] + hubness[None, :]) / 2.0
        self._link(np.asarray(sims, dtype=np.float64), batch)

    def _link(self, sims: np.ndarray, batch: list[Member]) -> None:
        """Group the batch (rows of `sims`, columns: open members then the batch) into the open stories
        or new ones. Only the stories some newcomer could join on its own take part: a group of
        newcomers averages its members' similarities, so it cannot reach a story none of them reaches."""
        old = self._stories
        sizes = np.array([len(st.members) for st in old], dtype=np.float64)
        n_old, n_new = sims.shape[1] - len(batch), len(batch)
        starts = np.cumsum([0, *sizes[:-1]]).astype(np.intp)
        sums = np.add.reduceat(sims[:, :n_old], starts, axis=1) if n_old else sims[:, :0]
        lows = np.minimum.reduceat(sims[:, :n_old], starts, axis=1) if n_old else sims[:, :0]
        keep = np.flatnonzero((sums / sizes).max(axis=0, initial=-np.inf) >= self.settings.join)
        n_keep = len(keep)
        total, worst = np.zeros((2, n_keep + n_new, n_keep + n_new))
        for full, part in ((total, sums[:, keep]), (worst, lows[:, keep])):
            full[n_keep:, :n_keep] = part
            full[:n_keep, n_keep:] = part.T
        total[n_keep:, n_keep:] = sims[:, n_old:]
        worst[n_keep:, n_keep:] = sims[:, n_old:]
        spans = [[_timestamp(m.published) for m in old[g].members] for g in keep]
        stamps = np.array([_timestamp(m.published) for m in batch])
        with np.errstate(all="ignore"):  # all-NaN stories (undated) are fine: NaN compares as "in window"
            first = np.concatenate([[np.fmin.reduce(t) for t in spans], stamps])
            last = np.concatenate([[np.fmax.reduce(t) for t in spans], stamps])
        groups = link_groups(total, worst, np.concatenate([sizes[keep], np.ones(n_new)]), first, last, n_keep,
                             self.window.total_seconds(), self.settings.join, self.settings.min_link)
        founded: dict[int, list[Member]] = {}
        for member, group in zip(batch, groups[n_keep:], strict=True):
            if group < n_keep:
                story = old[keep[group]]
                story.members.append(member)
                story.members.sort(key=member_order)
            else:
                founded.setdefault(group, []).append(member)
        for group_members in founded.values():
            old.append(_Story(story_id_for(group_members[0].article_id), group_members))
        old.sort(key=lambda st: member_order(st.members[0]))  # canonical: a restored state sorts alike
        for story in old:
            for member in story.members:
                if member.article_id in self._articles:
                    self._session[member.article_id] = story.id
                self._by_article[member.article_id] = story.id

    def _recall_neighbours(self, pool: list[Member]) -> None:
        """Members restored from a state without neighbour similarities (version < 3) get them from
        the open pool, once."""
        missing = np.flatnonzero([m.nearest is None for m in pool])
        if not len(missing):
            return
        sims = self._rows(pool, missing)
        sims[np.arange(len(missing)), missing] = -np.inf
        for i, near in zip(missing, _top(sims, min(self.settings.hub_k, len(pool) - 1)), strict=True):
            pool[i].nearest = descending(near, self.settings.hub_k)

    def _rows(self, pool: list[Member], rows: np.ndarray) -> np.ndarray:
        """Blended similarity (no hub correction) of the `rows` members of `pool` to every member."""
        vectors = np.stack([m.vector for m in pool])
        event, words = self._terms.products(pool, rows, self._df, self._n_docs)
        return self.settings.blend(vectors[rows] @ vectors.T, event, words)

    def _hubness(self, nearest: np.ndarray, pool_size: int) -> np.ndarray:
        """Mean of each row's nearest similarities (clipped at 0); missing ones (-inf) count as the prior,
        and in a pool smaller than `hub_pool` the mean is shrunk toward the prior (see `ClusterSettings`)."""
        s = self.settings
        found = np.isfinite(nearest)
        near = np.clip(np.where(found, nearest, 0.0), 0.0, None).sum(axis=1)
        score = (near + (s.hub_k - found.sum(axis=1)) * s.hub_prior) / s.hub_k
        trust = min(1.0, pool_size / s.hub_pool) if s.hub_pool > 0 else 1.0
        return (trust * score + (1.0 - trust) * s.hub_prior).astype(np.float32)

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
                    self._changes.dirty.discard(m.article_id)
                    self._changes.moved.discard(m.article_id)
                    self._changes.dropped.add(m.article_id)
            else:
                keep.append(story)
        self._stories = keep
        if len(self._df) > self.settings.max_terms:
            self._df = Counter({t: c for t, c in self._df.items() if c > 1})
            self._changes.df_reset = True
            self._terms = PoolTerms()  # a fresh vocabulary too, so it stays bounded like the counts

    # -- state --------------------------------------------------------------------------------------

    def to_dict(self, members: bool = True) -> dict[str, Any]:
        """The state as plain JSON types (vectors as base64 float16); `members=False` leaves out the
        stories and the document frequencies (the bulk of it)."""
        header = {
            "version": STATE_VERSION,
            "window_seconds": self.window.total_seconds(),
            "settings": {k: getattr(self.settings, k) for k in ClusterSettings.__dataclass_fields__},
            "n_docs": self._n_docs,
            "latest": self._latest.isoformat() if self._latest else None,
        }
        if not members:
            return header
        return {**header, "df": dict(self._df),
                "stories": [{"id": st.id, "members": [member_record(m) for m in st.members]}
                            for st in self._stories]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], embedder: Embedder) -> StoryClusterer:
        version = data.get("version")
        if version not in (1, 2, STATE_VERSION):
            raise ValueError(f"unsupported story-clusterer state version {version!r}")
        # version 1 thresholds were on another scale: its stories and members carry over, not its settings
        known = ClusterSettings.__dataclass_fields__
        saved = data.get("settings", {}) if version != 1 else {}
        settings = ClusterSettings(**{k: v for k, v in saved.items() if k in known})
        self = cls(embedder, window=timedelta(seconds=float(data["window_seconds"])), settings=settings)
        self._n_docs = int(data["n_docs"])
        self._df = Counter({str(k): int(v) for k, v in data["df"].items()})
        self._latest = datetime.fromisoformat(data["latest"]) if data.get("latest") else None
        for st in data["stories"]:
            members = sorted((member_from_record(m, settings.hub_k) for m in st["members"]),
                             key=member_order)
            self._stories.append(_Story(str(st["id"]), members))
            for m in members:
                self._by_article[m.article_id] = str(st["id"])
        self._stories.sort(key=lambda story: member_order(story.members[0]))
        return self


def _timestamp(when: datetime | None) -> float:
    return when.timestamp() if when is not None else math.nan


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """Each row's `k` largest values, in no particular order."""
    return np.partition(sims, -k, axis=1)[:, -k:] if k else sims[:, :0]
