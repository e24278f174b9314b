"""Sentence selection for extractive digests: which sentences may be used, how central they are, MMR.

Rules here are about news text in general, not any data set: a usable sentence is complete (ends with
terminal punctuation, not an ellipsis), is not site furniture ("Read more", "3 minute read", links),
and is neither a bare quotation nor a sentence that leans on an earlier one ("He added ...").
Centrality is LexRank, measured cheaply over TF-IDF for the whole story first; only a shortlist is
embedded, which keeps a cold digest of a five-article story well under a second on a small CPU.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from summarizer.sentences import split_sentences
from summarizer.types import Article, Sentence

MIN_WORDS = 6
MAX_WORDS = 120  # longer "sentences" are nearly always a splitter failure (run-on lists, missing stops)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each even few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours ourselves out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your yours
yourself said says say told according mr mrs ms one two new also would could may might must year years
""")

# A sentence that opens with one of these leans on the sentence before it.
_PRONOUN_START = _words("he she they it this these those that his her their its him them we i our "
                           "my you your us such")
CONNECTIVES = _words("but however also meanwhile still yet and so then instead moreover "
                              "furthermore additionally besides otherwise nonetheless nevertheless "
                              "thus hence therefore later")
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,3})\s*(?:\([^)]{1,40}\))?\s*(?:[:—–]|--?)\s+"
    r"(?=[A-Z0-9“\"‘'])")
_BOILERPLATE = re.compile(
    r"(?:https?://|www\.|\S+@\S+\.\w{2,}"
    r"|\b(?:read more|read also|also read|click here|subscribe|sign up|newsletter|follow us|all rights "
    r"reserved|copyright|cookies|advertisement|share this|share on|loading|minute read|scroll to top|"
    r"posts list|terms of (?:use|service)|privacy policy|download (?:the|our) app|watch the video|"
    r"latest news|related articles?|related stories|more stories|recommended for you|log in|"
    r"javascript|your browser)\b)",
    re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?][\s\"'”’»)\]]*$")
_TRUNCATED = re.compile(r"(?:…|\.\.\.)[\s\"'”’»)\]]*$")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?|«[^»]*»?")


@dataclass(frozen=True)
class Candidate:
    """A sentence that may go into a summary, with what selection needs to know about it."""

    sentence: Sentence
    article: int  # index of its article in the story
    position: int  # index among its article's sentences
    text: str  # the sentence without a leading dateline; always a substring of the article text
    tokens: tuple[str, ...]  # content words (lower case, light stemming)
    prior: float  # style multiplier in (0, 1]: leaning openers, quotations, questions


def stem(word: str) -> str:
    """A deliberately light stemmer: plural and possessive endings only (enough for overlap tests)."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 1]


def strip_dateline(text: str) -> str:
    """'ISLAMABAD (Kashmir English): Defence Minister ...' -> 'Defence Minister ...'."""
    match = _DATELINE.match(text)
    if match is None or len(text) - match.end() < 20:
        return text
    return text[match.end():]


def is_boilerplate(text: str) -> bool:
    return _BOILERPLATE.search(text) is not None


def is_complete(text: str) -> bool:
    """Ends like a sentence (., !, ? maybe followed by a closing quote), not with an ellipsis."""
    return _TERMINAL.search(text) is not None and _TRUNCATED.search(text) is None


def quoted_share(text: str) -> float:
    """How much of the sentence lies inside quotation marks."""
    inside = sum(len(m.group()) for m in _QUOTED.finditer(text))
    return inside / max(1, len(text))


def leans_back(text: str) -> bool:
    """Opens with a pronoun or a connective that needs the previous sentence to make sense."""
    words = _WORD.findall(text[:40])
    return bool(words) and words[0].lower() in _PRONOUN_START


def style_prior(text: str) -> float:
    prior = 1.0
    words = _WORD.findall(text[:40])
    first = words[0].lower() if words else ""
    if first in _PRONOUN_START:
        prior *= 0.45
    elif first in CONNECTIVES:
        prior *= 0.8
    share = quoted_share(text)
    if share > 0.5:
        prior *= 0.4
    elif share > 0.3:
        prior *= 0.8
    if text.rstrip("\"'”’ )").endswith("?"):
        prior *= 0.6
    return prior


def candidates(articles: Sequence[Article]) -> list[Candidate]:
    """Usable sentences of every article, in article then text order."""
    return [c for a, article in enumerate(articles) for c in _article_candidates(a, article)]


@lru_cache(maxsize=4096)
def _article_candidates(a: int, article: Article) -> tuple[Candidate, ...]:
    """Memoised: the same article is digested again for every update and every subscriber."""
    out: list[Candidate] = []
    title = " ".join(article.title.split()).lower()
    seen: set[str] = set()
    for position, sentence in enumerate(split_sentences(article.text, article.id)):
        text = strip_dateline(sentence.text).strip()
        key = " ".join(text.split()).lower()
        n_words = len(text.split())
        if (n_words < MIN_WORDS or n_words > MAX_WORDS or key in seen or key == title
                or not is_complete(text) or is_boilerplate(text)):
            continue
        seen.add(key)
        out.append(Candidate(sentence=sentence, article=a, position=position, text=text,
                             tokens=tuple(content_words(text)), prior=style_prior(text)))
    return tuple(out)


def tfidf(token_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """L2-normalised TF-IDF rows (the vocabulary and document frequencies come from these lists).

    Raw term counts times smoothed idf plus one (scikit-learn's default): a word that every sentence of
    the story uses is its topic, and must still count towards similarity rather than drop to zero.
    """
    vocab: dict[str, int] = {}
    for tokens in token_lists:
        for t in tokens:
            vocab.setdefault(t, len(vocab))
    matrix = np.zeros((len(token_lists), max(1, len(vocab))), dtype=np.float32)
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    n = len(token_lists)
    for i, tokens in enumerate(token_lists):
        for t, c in Counter(tokens).items():
            matrix[i, vocab[t]] = c * (math.log((1 + n) / (1 + df[t])) + 1.0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def lexrank(sim: np.ndarray, threshold: float = 0.1, damping: float = 0.85, iterations: int = 100
            ) -> np.ndarray:
    """LexRank centrality (Erkan & Radev 2004): PageRank over the graph of edges with weight >= threshold.

    A sentence is central when sentences that are themselves central resemble it, which across outlets
    means a fact many of them report. Rows without an edge jump uniformly. Sums to 1.
    """
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    graph = np.where(sim >= threshold, sim, 0.0).astype(np.float64)
    np.fill_diagonal(graph, 0.0)
    rows = graph.sum(axis=1, keepdims=True)
    walk = np.where(rows > 0, graph / np.where(rows > 0, rows, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * (walk.T @ rank)
        done = float(np.abs(new - rank).sum()) < 1e-8
        rank = new
        if done:
            break
    return rank.astype(np.float32)


def information(cands: Sequence[Candidate]) -> np.ndarray:
    """How much a sentence says: the square root of its content-word count.

    At a fixed number of sentences a longer informative sentence carries more facts; the root keeps
    a run-on sentence from winning on length alone.
    """
    return np.sqrt(np.array([max(1, len(c.tokens)) for c in cands], dtype=np.float32))


def title_candidates(articles: Sequence[Article], clean: Callable[[str], str] = str.strip, min_words: int = 4
                     ) -> list[Candidate]:
    """Article headlines as stand-in sentences (position -1; offsets are into the title, not the text).

    Used only when a story has too few complete sentences, e.g. feeds that carry a cut-off teaser: a
    headline is a complete statement by the outlet, unlike the truncated teaser.
    """
    out: list[Candidate] = []
    for a, article in enumerate(articles):
        title = clean(" ".join(article.title.split()))
        if len(title.split()) < min_words or is_boilerplate(title):
            continue
        sentence = Sentence(article_id=article.id, index=-1, start=0, end=len(title), text=title)
        out.append(Candidate(sentence=sentence, article=a, position=-1, text=title,
                             tokens=tuple(content_words(title)), prior=style_prior(title)))
    return out


def mmr_select(scores: np.ndarray, sim: np.ndarray, lengths: Sequence[int], k: int, max_chars: int,
               overlap: np.ndarray | None = None, lam: float = 0.7, redundancy: float = 0.8,
               min_k: int = 2, floor: float = 0.0) -> list[int]:
    """Greedy maximal marginal relevance under a sentence count and a character budget.

    A sentence too similar to a chosen one (cosine >= `redundancy` or content-word containment >= 0.7)
    is never taken; one that does not fit in the remaining characters is skipped, not cut, and one
    longer than `max_chars / k` is discounted so a tight budget holds more facts. Below `floor` (a share
    of the best score) a sentence is only taken to reach `min_k`: novelty alone never earns a place.
    """
    chosen: list[int] = []
    used = 0
    top = float(scores.max()) if len(scores) else 1.0
    norm = scores / top if top > 0 else scores
    remaining = set(range(len(scores)))
    fair_share = max_chars / max(1, k)
    while remaining and len(chosen) < k:
        best, best_value = -1, -math.inf
        for i in remaining:
            if used + lengths[i] + (1 if chosen else 0) > max_chars:
                continue
            if norm[i] < floor and len(chosen) >= min_k:  # off-topic: only to reach the minimum
                continue
            if chosen:
                red = max(float(sim[i, j]) for j in chosen)
                if red >= redundancy or (overlap is not None and max(overlap[i, j] for j in chosen) >= 0.7):
                    continue
            else:
                red = 0.0
            # a sentence much longer than its fair share of the budget must be worth the room it takes
            fit = min(1.0, fair_share / max(1, lengths[i])) ** 0.5
            value = lam * float(norm[i]) * fit - (1 - lam) * red
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += lengths[best] + (1 if len(chosen) > 1 else 0)
        remaining.discard(best)
    if len(chosen) < min_k and len(scores) >= min_k:
        # the budget was too tight for the best sentence: retry with the shortest good ones first
        by_len = sorted(range(len(scores)), key=lambda i: (lengths[i], -scores[i]))
        alt = [i for i in by_len[: max(min_k, 1)] if lengths[i] <= max_chars]
        if sum(lengths[i] for i in alt) + len(alt) - 1 <= max_chars and len(alt) > len(chosen):
            chosen = alt
    return chosen


def containment(tokens: Sequence[Sequence[str]]) -> np.ndarray:
    """Share of the smaller sentence's content words found in the other one (symmetric)."""
    sets = [set(t) for t in tokens]
    n = len(sets)
    out = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            small = min(len(sets[i]), len(sets[j]))
            if small:
                out[i, j] = out[j, i] = len(sets[i] & sets[j]) / small
    return out
