"""Extractive story digests: a headline, 2-4 supported sentences and the story's quotes.

Every summary sentence is copied from an article (faithful by construction) and lists the articles
that support it: its own, plus any article with a sentence that says the same (close embeddings *and*
shared content words, so a sentence on the same topic but with other facts does not count). Facts
several outlets report rank first: sentences are ranked by LexRank centrality over TF-IDF and over
embeddings, times how much they say, times style; `update_digest` sends only what a subscriber has not
seen yet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.embeddings import Embedder
from summarizer.extractive import (
    Candidate,
    candidates,
    containment,
    content_words,
    information,
    is_boilerplate,
    lexrank,
    mmr_select,
    tfidf,
    title_candidates,
)
from summarizer.types import Article, Quote, Story, StoryDigest, SummarySentence

# All weights are global constants for news text in general (none is set per data set or per story).
SUPPORT_COSINE = 0.72  # "says the same": embedding cosine at least this ...
SUPPORT_OVERLAP = 0.4  # ... and this share of the shorter sentence's content words in common
NEAR_DUPLICATE = 0.8  # an update never repeats a sentence this close to one already sent
HEADLINE_CHARS = 120
MMR_LAMBDA = 0.7  # relevance vs. novelty; a hard redundancy cut removes repeats besides
RELEVANCE_FLOOR = 0.4  # share of the best sentence's score below which a sentence is off-topic
EMBEDDING_SHARE = 0.5  # centrality: this much LexRank over embeddings, the rest LexRank over TF-IDF
LEXICAL_EDGE = 0.1  # LexRank graph edges: TF-IDF cosine at least this (Erkan & Radev's threshold) ...
EMBEDDING_EDGE = 0.3  # ... embedding cosine at least this (unrelated news sentences sit near 0.1-0.2)
REDUNDANT = 0.5  # two sentences repeat each other at this TF-IDF cosine (the LexRank baseline's cut) ...
EMBEDDING_OFFSET = 0.3  # ... or at this much more embedding cosine (0.8: the same fact reworded)


@dataclass(frozen=True)
class DigestOptions:
    """How long a digest may be. `shortlist` bounds how many sentences are embedded per story."""

    max_sentences: int = 4
    max_chars: int = 600
    include_quotes: bool = True
    max_quotes: int = 5
    shortlist: int = 12

    def __post_init__(self) -> None:
        if self.max_sentences < 2:
            raise ValueError("max_sentences must be at least 2")
        if self.max_chars < 1 or self.max_quotes < 0 or self.shortlist < 1:
            raise ValueError("max_chars and shortlist must be positive, max_quotes >= 0")


def normalise(text: str) -> str:
    """Case, quote style, punctuation and spacing removed: what makes two sentences 'the same text'."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def sentence_id(text: str) -> str:
    """A stable id for a summary sentence (the same text from another outlet gets the same id)."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=8).hexdigest()


def _scale(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


def _centrality(lex_sim: np.ndarray, emb_sim: np.ndarray | None = None) -> np.ndarray:
    """LexRank over TF-IDF, blended with LexRank over embeddings when they are given (each scaled to 1).

    TF-IDF sees shared names and numbers; embeddings see the same fact in other words across outlets.
    """
    lexical = _scale(lexrank(lex_sim, threshold=LEXICAL_EDGE))
    if emb_sim is None:
        return lexical
    semantic = _scale(lexrank(emb_sim, threshold=EMBEDDING_EDGE))
    return (1 - EMBEDDING_SHARE) * lexical + EMBEDDING_SHARE * semantic


def _scores(cands: Sequence[Candidate], centrality: np.ndarray) -> np.ndarray:
    """Centrality times information content times style (leaning openers, quotations, questions).

    They multiply: an informative but off-topic sentence stays off-topic, a central fragment stays thin.
    """
    return centrality * information(cands) * np.array([c.prior for c in cands], dtype=np.float32)


@dataclass
class _Selection:
    cands: list[Candidate]
    chosen: list[int]  # indexes into cands, in reading order
    vectors: dict[int, np.ndarray]  # embeddings of the shortlisted (and sent) candidates
    overlap: np.ndarray  # content-word containment between all candidates


def _select(cands: list[Candidate], embedder: Embedder, options: DigestOptions,
            sent_ids: frozenset[str] = frozenset(), min_k: int = 2) -> _Selection:
    """Rank cheaply with TF-IDF LexRank, embed a shortlist, re-rank with both graphs, then pick with MMR."""
    if not cands:
        return _Selection(cands, [], {}, np.zeros((0, 0), dtype=np.float32))
    lex = tfidf([c.tokens for c in cands])
    lex_sim = lex @ lex.T
    overlap = containment([c.tokens for c in cands])
    pre = _scores(cands, _centrality(lex_sim))
    sent = [i for i, c in enumerate(cands) if sentence_id(c.text) in sent_ids]
    sent_set = set(sent)
    # The shortlist is taken before removing what was sent: an update only ever draws on the story's
    # most central sentences, so it reports news rather than draining an article's minor details.
    size = max(options.shortlist, 2 * options.max_sentences)
    short = [int(i) for i in np.argsort(-pre, kind="stable")[:size] if i not in sent_set]
    if sent:  # never consider what was sent, nor what merely repeats it in other words
        short = [i for i in short if max(overlap[i, j] for j in sent) < 0.7]
    embed_ids = short + sent
    vecs = embedder.embed([cands[i].text for i in embed_ids]) if embed_ids else np.zeros((0, 1))
    vectors = {i: vecs[n] for n, i in enumerate(embed_ids)}
    if sent and short:  # near-duplicates and sentences that would merely support a sent one
        cos = vecs[: len(short)] @ vecs[len(short):].T
        same: np.ndarray = (cos >= NEAR_DUPLICATE) | ((cos >= SUPPORT_COSINE)
                                                      & (overlap[np.ix_(short, sent)] >= SUPPORT_OVERLAP))
        short = [i for n, i in enumerate(short) if not same[n].any()]
    if not short:
        return _Selection(cands, [], vectors, overlap)
    sub = [cands[i] for i in short]
    emb = np.stack([vectors[i] for i in short])
    emb_sim = emb @ emb.T
    sub_lex = lex_sim[np.ix_(short, short)]
    final = _scores(sub, _centrality(sub_lex, emb_sim))
    sub_overlap = overlap[np.ix_(short, short)]
    says_same = (emb_sim >= SUPPORT_COSINE) & (sub_overlap >= SUPPORT_OVERLAP)
    repeats = np.maximum(sub_lex, emb_sim - EMBEDDING_OFFSET)
    picked = mmr_select(final, np.where(says_same, 1.0, repeats), [len(c.text) for c in sub],
                        options.max_sentences, options.max_chars, overlap=sub_overlap,
                        redundancy=REDUNDANT, min_k=min_k, lam=MMR_LAMBDA, floor=RELEVANCE_FLOOR)
    chosen = sorted((short[p] for p in picked), key=lambda i: (cands[i].position, cands[i].article))
    return _Selection(cands, chosen, vectors, overlap)


def _support_pairs(sel: _Selection, i: int) -> list[int]:
    """Sentences of other articles that share enough content words with candidate `i` (best 2 each)."""
    cand = sel.cands[i]
    best: dict[int, list[int]] = {}
    for j, other in enumerate(sel.cands):
        if other.article != cand.article and sel.overlap[i, j] >= SUPPORT_OVERLAP:
            best.setdefault(other.article, []).append(j)
    return [j for js in best.values() for j in sorted(js, key=lambda j: -sel.overlap[i, j])[:2]]


def _supporters(sel: _Selection, articles: Sequence[Article], embedder: Embedder) -> list[tuple[str, ...]]:
    """For each chosen sentence: its own article first, then every article with a sentence saying the same.

    "The same" needs shared content words (checked first, cheaply) and a close embedding; all the
    sentences still to embed go in one batch.
    """
    pairs = {i: _support_pairs(sel, i) for i in sel.chosen}
    missing = list(dict.fromkeys(j for js in pairs.values() for j in js if j not in sel.vectors))
    if missing:
        sel.vectors.update(zip(missing, embedder.embed([sel.cands[j].text for j in missing]), strict=True))
    out = []
    for i, js in pairs.items():
        own = sel.cands[i].article
        found = {own} | {sel.cands[j].article for j in js
                         if float(sel.vectors[i] @ sel.vectors[j]) >= SUPPORT_COSINE}
        out.append(tuple(articles[a].id for a in sorted(found, key=lambda a: (a != own, a))))
    return out


def clean_title(title: str) -> str:
    """A title without the site name glued to it ('Talks resume - The Daily Post')."""
    title = " ".join(title.split())
    parts = re.split(r"\s+[|–—-]\s+", title)
    if len(parts) > 1 and len(parts[-1].split()) <= 4 and len(" ".join(parts[:-1]).split()) >= 3:
        title = re.split(r"\s+[|–—-]\s+[^|–—-]*$", title)[0]
    return title


def _short_headline(text: str) -> str:
    text = text.rstrip().rstrip(".")
    if len(text) <= HEADLINE_CHARS:
        return text
    cut = text[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:–—- ")
    return cut + "…"


def _headline(sel: _Selection, articles: Sequence[Article], embedder: Embedder) -> str:
    """The article title closest to what the summary says; without titles, a short lead sentence."""
    used = {sel.cands[i].article for i in sel.chosen} or set(range(len(articles)))

    def usable(indices: Sequence[int]) -> list[str]:
        return list(dict.fromkeys(t for a in indices if (t := clean_title(articles[a].title))
                                  and len(t.split()) >= 3 and not is_boilerplate(t)))

    # A real headline of the story beats a lead sentence cut short, even from an article not quoted.
    titles = usable(sorted(used)) or usable(range(len(articles)))
    if titles and sel.chosen:
        target = np.mean(np.stack([sel.vectors[i] for i in sel.chosen]), axis=0)
        vecs = embedder.embed(titles)
        fit = vecs @ target - np.array([0.1 if len(t) > 160 else 0.0 for t in titles])
        return titles[int(np.argmax(fit))]
    if titles:
        return titles[0]
    texts = [sel.cands[i].text for i in sel.chosen]
    leads = [c.text for c in sel.cands if c.position == 0 and c.article in used]
    for text in (*texts, *sorted(leads, key=len)):
        if len(text) <= HEADLINE_CHARS:
            return _short_headline(text)
    fallback = texts or leads or [a.title or a.text for a in articles]
    return _short_headline(fallback[0]) if fallback else ""


def _quotes(quotes: Sequence[Quote], options: DigestOptions, seen: frozenset[str] = frozenset()
            ) -> tuple[Quote, ...]:
    """Quotes several outlets carry first, then in story order; never one already sent, not even as a
    fragment or another wording of it (a fuller copy arriving later changes the quote's id)."""
    if not options.include_quotes:
        return ()
    fresh = [(n, q) for n, q in enumerate(quotes) if not q.known_as(seen) and len(q.text.split()) >= 3]
    fresh.sort(key=lambda nq: (-len(nq[1].sources), nq[0]))
    return tuple(q for _, q in fresh[: options.max_quotes])


def _digest(story: Story, embedder: Embedder, quotes: Sequence[Quote], options: DigestOptions,
            seen_sentences: frozenset[str], seen_quotes: frozenset[str], update: bool) -> StoryDigest:
    articles = story.articles
    min_k = 1 if update else 2
    cands = candidates(articles)
    if len(cands) < min_k:  # only cut-off teasers: the outlets' headlines stand in (complete, faithful)
        known = {sentence_id(c.text) for c in cands}
        for title in title_candidates(articles, clean=clean_title):
            if sentence_id(title.text) not in known:
                known.add(sentence_id(title.text))
                cands.append(title)
    sel = _select(cands, embedder, options, seen_sentences, min_k=min_k)
    summary = tuple(SummarySentence(id=sentence_id(cands[i].text), text=cands[i].text, sources=sources)
                    for i, sources in zip(sel.chosen, _supporters(sel, articles, embedder), strict=True))
    picked_quotes = _quotes(quotes, options, seen_quotes)
    shown = articles
    if update:
        cited = {s for item in summary for s in item.sources} | {s for q in picked_quotes for s in q.sources}
        shown = tuple(a for a in articles if a.id in cited) or articles
    return StoryDigest(story_id=story.id, headline=_headline(sel, articles, embedder) if articles else "",
                       summary=summary, quotes=picked_quotes, articles=shown, is_update=update)


def summarize_story(story: Story, embedder: Embedder, quotes: Sequence[Quote] = (),
                    options: DigestOptions = DigestOptions()) -> StoryDigest:
    """The digest of a story: headline, 2..max_sentences supported sentences, the top quotes."""
    return _digest(story, embedder, quotes, options, frozenset(), frozenset(), update=False)


def update_digest(story: Story, embedder: Embedder, seen_sentence_ids: set[str], seen_quote_ids: set[str],
                  quotes: Sequence[Quote] = (), options: DigestOptions = DigestOptions()
                  ) -> StoryDigest | None:
    """Only what is new since the last digest of a developing story; None when there is nothing new.

    Sentences already sent (by id) and sentences that repeat them in other words are left out, as are
    quotes already sent; the headline comes from the articles the new material is taken from.
    """
    digest = _digest(story, embedder, quotes, options, frozenset(seen_sentence_ids),
                     frozenset(seen_quote_ids), update=True)
    if not digest.summary and not digest.quotes:
        return None
    return digest


__all__ = ["DigestOptions", "clean_title", "content_words", "normalise", "sentence_id", "summarize_story",
           "update_digest"]
