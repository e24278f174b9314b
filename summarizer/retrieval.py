"""Hybrid passage retrieval, pure: BM25 (rank-bm25) and dense cosine, fused by reciprocal rank.

BM25 finds the rare names and numbers a question shares with its evidence; the embedding finds
paraphrases. Their raw scores live on different scales and drift with corpus size, so the ranking
uses reciprocal rank fusion (scale-free), while each `Hit` keeps both raw scores for the refusal
decision in `summarizer.answers`; fused scores are then discounted by age (`fresh_first`). The
database index (`bot.ask.index`) produces the same `Hit`s.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Literal

import numpy as np
from rank_bm25 import BM25Okapi

from summarizer.passages import Passage

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
CANDIDATES = 50  # how deep each retriever's list goes into the fusion
FRESH_DAYS = 30.0  # a fused score is divided by 1 + its article's age in units of this many days

_STOP_TEXT = """
a an the of to in on for and or but nor is are was were be been being by with at from as that this these
those it its he she they them his her their we you i me my our your what which who whom whose when where
why how did do does doing done has have had having not no than then so if into about after before over
under up out will would can could may might must shall should also more most such there here just only
very any all some each other same own too s t don now amid via per while during between against
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_COMBINING = re.compile("[\u0300-\u036f]")  # the accents NFKD splits off Latin letters
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")  # a word of `_WORD` that is a dotted acronym
_WORD = re.compile(r"\d+(?:[.,]\d+)*(?![\w])|[\w][\w'’.-]*[\w]|\w", re.UNICODE)


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A deliberately light stemmer: plural and possessive endings only (names must stay intact),
    and an acronym's dots."""
    token = token.replace("’", "'")
    if token.endswith("'s"):
        token = token[:-2]
    token = token.rstrip("'.")
    if "." in token and _DOTTED.fullmatch(token):
        token = token.replace(".", "")  # "u.s" is "us" (see `searchable`)
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def fold_accents(text: str) -> str:
    """"Erdoğan" -> "Erdogan": news spells names with and without their accents."""
    return text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def searchable(text: str) -> str:
    """The spelling both sides of a full-text search see: acronyms without their dots ("U.S." ->
    "US": a question about the US must find the U.S. coverage) and accents folded (`fold_accents`)."""
    return fold_accents(_ACRONYM.sub(lambda m: m.group().replace(".", ""), text))


@lru_cache(maxsize=8192)
def token_set(text: str) -> frozenset[str]:
    """The distinct `tokenize` tokens of `text`, cached: the answerer reads each evidence sentence
    and title many times (neighbouring passages share sentences, one article's passages its title)."""
    return frozenset(tokenize(text))


def tokenize(text: str) -> list[str]:
    """Lowercased, stemmed content tokens (stopwords dropped), spelled as `searchable` spells them;
    numbers keep their commas and dots, and a hyphenated word counts as itself and as each of its
    parts ("AI-generated" matches "AI"; PostgreSQL's parser does the same)."""
    out = []
    for word in _WORD.findall(fold_accents(text).lower()):
        for raw in (*word.split("-"), word) if "-" in word else (word,):
            tok = stem(raw)
            if tok and tok not in STOPWORDS and raw not in STOPWORDS:  # "does" would stem to "doe"
                out.append(tok)
    return out


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the evidence scores the answerer needs."""

    passage: Passage
    score: float
    lexical: float = 0.0
    dense: float = 0.0
    in_story: bool = False
    title_dense: float = 0.0  # cosine of question and the article's title (0 when untitled)


def rrf(rankings: Iterable[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the lists an item appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return fused


def naive(moment: datetime | None) -> datetime | None:
    """Stores mix naive and aware datetimes; the calendar moment is what matters here."""
    return moment.replace(tzinfo=None) if moment is not None else None


def newest(hits: Sequence[Hit]) -> datetime | None:
    """The publication time of the newest retrieved article (what ages are counted from)."""
    return max((d for h in hits if (d := naive(h.passage.published)) is not None), default=None)


def age_days(hit: Hit, latest: datetime | None) -> float:
    """How many days `hit`'s article is older than `latest` (0 when either is undated)."""
    published = naive(hit.passage.published)
    return max((latest - published).total_seconds() / 86_400, 0.0) if latest and published else 0.0


def fused_pool(fused: Mapping[int, float], k: int) -> list[int]:
    """The fused ids, best first, that `fresh_first` picks `k` from: twice as many, so the age
    discount can lift a newer passage from below the cut."""
    return sorted(fused, key=lambda i: (-fused[i], i))[:2 * k]


def fresh_first(hits: Sequence[Hit], k: int, days: float = FRESH_DAYS) -> list[Hit]:
    """The `k` best of `hits` (the `fused_pool`) once each score is discounted by its
    article's age before the newest hit: a news question asks about the latest coverage of its topic,
    and last year's article on the same subject should not crowd out this week's. Undated passages
    are not discounted. On the qa dev half this lifts ans+3 by about 0.008 (half-lives of 3 to 90
    days score alike)."""
    latest = newest(hits)
    fresh = [replace(h, score=h.score / (1.0 + age_days(h, latest) / days)) for h in hits]
    return sorted(fresh, key=lambda h: (-h.score, h.passage.id))[:k]


SearchFn = Callable[[set[str] | None, int], list[Hit]]


class MemoryIndex:
    """Passages and their vectors in memory; BM25 statistics are per searched scope (cached)."""

    def __init__(self, passages: Sequence[Passage], vectors: np.ndarray | None = None,
                 titles: Mapping[str, np.ndarray] | None = None, cache_size: int = 64) -> None:
        """`vectors`: one per passage (`passage_vectors`); `titles`: by article id (`title_vectors`)."""
        self.passages = list(passages)
        self.vectors = vectors
        self.titles = titles or {}
        self.tokens = [tokenize(p.index_text) or ["_"] for p in self.passages]
        self.by_article: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            self.by_article.setdefault(p.article_id, []).append(i)
        self._bm25: OrderedDict[frozenset[str] | None, tuple[BM25Okapi, np.ndarray]] = OrderedDict()
        self._cache_size = cache_size

    def _rows(self, scope: set[str] | None) -> np.ndarray:
        if scope is None:
            return np.arange(len(self.passages))
        rows = [i for a in sorted(scope) for i in self.by_article.get(a, ())]
        return np.array(rows, dtype=np.int64)

    def _bm25_for(self, scope: set[str] | None) -> tuple[BM25Okapi, np.ndarray]:
        key = frozenset(scope) if scope is not None else None
        if key in self._bm25:
            self._bm25.move_to_end(key)
            return self._bm25[key]
        rows = self._rows(scope)
        entry = (BM25Okapi([self.tokens[i] for i in rows]), rows)
        self._bm25[key] = entry
        if len(self._bm25) > self._cache_size:
            self._bm25.popitem(last=False)
        return entry

    def _search_scope(self, question: str, query_vector: np.ndarray | None, scope: set[str] | None,
                      k: int, mode: Mode) -> list[Hit]:
        if not self.passages or (scope is not None and not any(a in self.by_article for a in scope)):
            return []
        rankings: list[list[int]] = []
        if mode in ("hybrid", "bm25"):
            bm25, rows = self._bm25_for(scope)
            lexical = np.asarray(bm25.get_scores(tokenize(question) or ["_"]), dtype=np.float64)
            order = np.lexsort((np.arange(len(rows)), -lexical))[:CANDIDATES]
            rankings.append([int(i) for i in order if lexical[i] > 0])
        else:
            rows = self._rows(scope)
            lexical = np.zeros(len(rows))
        dense = np.zeros(len(rows))
        if query_vector is not None and self.vectors is not None:
            # computed in every mode: the answerer's refusal uses the dense similarity of what it gets
            dense = self.vectors[rows] @ query_vector.astype(np.float32)
            if mode in ("hybrid", "dense"):
                order = np.lexsort((np.arange(len(rows)), -dense))[:CANDIDATES]
                rankings.append([int(i) for i in order])
        fused = rrf(rankings)
        best = fused_pool(fused, k)
        hits = [Hit(passage=self.passages[rows[i]], score=fused[i], lexical=float(lexical[i]),
                    dense=float(dense[i])) for i in best]
        return with_titles(fresh_first(hits, k), self.titles, query_vector)

    def search(self, question: str, query_vector: np.ndarray | None = None,
               story_article_ids: set[str] | None = None, scope: set[str] | None = None, k: int = 10,
               mode: Mode = "hybrid") -> list[Hit]:
        """Top-`k` passages within `scope` (None: everything), the story's own passages first."""
        return story_first(
            lambda sc, n: self._search_scope(question, query_vector, sc, n, mode),
            story_article_ids, scope, k)


def story_first(search_in: SearchFn, story_article_ids: set[str] | None, scope: set[str] | None,
                k: int) -> list[Hit]:
    """Search the story's articles first, then the whole scope; story hits are marked and lead.

    Up to `k` story hits come first, then other hits fill the list to `k` (at least `k // 2` of them
    are kept, so evidence outside the story stays available when the story does not answer).
    """
    if not story_article_ids:
        return search_in(scope, k)
    story = story_article_ids if scope is None else story_article_ids & scope
    first = [replace(h, in_story=True) for h in search_in(story, k)] if story else []
    seen = {h.passage.id for h in first}
    rest = [h for h in search_in(scope, k) if h.passage.id not in seen]
    return first + rest[: max(k - len(first), 0) or k // 2]


def with_titles(hits: list[Hit], titles: Mapping[str, np.ndarray], query_vector: np.ndarray | None
                ) -> list[Hit]:
    """`hits` with the question's similarity to each one's article title filled in."""
    if query_vector is None or not titles:
        return hits
    q = query_vector.astype(np.float32)
    return [replace(h, title_dense=float(titles[a] @ q)) if (a := h.passage.article_id) in titles else h
            for h in hits]
