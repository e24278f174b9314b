"""Passages: the unit /ask retrieves and cites.

A passage is a short run of consecutive sentences (its *core*, packed to about 60 words) together with
the sentence just before and just after it (its *context*). Lexical retrieval scores the core with the
article title in front (a sentence alone rarely names its subject); dense retrieval scores the mean of
the core sentences' vectors, each sentence embedded once and shared with the summarizer. Answer
extraction also looks at the neighbours: the fact a question asks for is often one sentence away from
the words it shares with the question. Cores do not overlap, so a 600-word article gives about ten
passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from summarizer.digest import clean_title
from summarizer.embeddings import Embedder
from summarizer.extractive import strip_dateline
from summarizer.types import Article, Sentence

MAX_WORDS = 60


@dataclass(frozen=True)
class Passage:
    """A retrievable, citable piece of one article, carrying what a citation needs."""

    id: str
    article_id: str
    index: int
    sentences: tuple[str, ...]
    before: str = ""
    after: str = ""
    title: str = ""
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None

    @property
    def text(self) -> str:
        """The core sentences, as cited."""
        return " ".join(self.sentences)

    @property
    def index_text(self) -> str:
        """What the lexical retriever sees: the title (it names the subject) and the core."""
        return f"{self.title}. {self.text}" if self.title else self.text

    @property
    def vector_texts(self) -> list[str]:
        """The texts whose vectors make the passage's: its core sentences exactly as the summarizer
        embeds them (dateline removed), so one cache serves the digest and the index."""
        return [strip_dateline(s).strip() or s for s in self.sentences]

    @property
    def vector_title(self) -> str:
        """The title as the summarizer embeds it when choosing a headline (site name removed)."""
        return clean_title(self.title)

    @property
    def window_sentences(self) -> list[str]:
        """The core's sentences with their neighbours, one by one."""
        return [s for s in (self.before, *self.sentences, self.after) if s]

    @property
    def window(self) -> str:
        """Core with its neighbours: where answer spans are looked for."""
        return " ".join(self.window_sentences)


def _split(text: str, article_id: str) -> list[Sentence]:
    """Sentence splitting behind one private seam (the shared news-aware splitter)."""
    from summarizer.sentences import split_sentences

    return split_sentences(text, article_id)


def make_passages(article: Article, max_words: int = MAX_WORDS) -> list[Passage]:
    """Pack the article's sentences into non-overlapping cores of at most `max_words` words.

    A sentence longer than the budget forms a passage alone; the title is not a passage of its own
    (it is prepended to every passage for retrieval instead).
    """
    sents = [s.text.strip() for s in _split(article.text, article.id) if s.text.strip()]
    groups: list[tuple[int, int]] = []
    start, words = 0, 0
    for i, sent in enumerate(sents):
        n = len(sent.split())
        if i > start and words + n > max_words:
            groups.append((start, i))
            start, words = i, 0
        words += n
    if start < len(sents):
        groups.append((start, len(sents)))
    out: list[Passage] = []
    for idx, (lo, hi) in enumerate(groups):
        out.append(Passage(
            id=f"{article.id}#{idx}", article_id=article.id, index=idx, sentences=tuple(sents[lo:hi]),
            before=sents[lo - 1] if lo > 0 else "", after=sents[hi] if hi < len(sents) else "",
            title=article.title.strip(), outlet=article.outlet, url=article.url,
            published=article.published))
    return out


def passage_vectors(passages: Sequence[Passage], embedder: Embedder) -> np.ndarray:
    """The unit mean of each passage's sentence vectors, embedding every distinct sentence once.

    Sentence vectors rather than one vector of title + core: the summarizer embeds the same sentences
    for digests, so through a cached embedder each is embedded once for both; and the mean retrieves
    better (qa dev half, dense R@5 0.927 against 0.900; adding the title's vector lowered it).
    """
    texts = [p.vector_texts for p in passages]
    vecs = _embed_distinct([t for ts in texts for t in ts], embedder)
    if not vecs:
        return np.zeros((len(passages), embedder.dim), dtype=np.float32)
    out = np.stack([np.mean([vecs[t] for t in ts], axis=0) for ts in texts])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.clip(norms, 1e-12, None)).astype(np.float32)


def title_vectors(passages: Sequence[Passage], embedder: Embedder) -> dict[str, np.ndarray]:
    """Each titled article's title vector, by article id: whether the coverage is about the asked
    topic at all (a refusal signal), at one text per article that the digest's headline choice shares."""
    titles = {p.article_id: title for p in passages if (title := p.vector_title)}
    vecs = _embed_distinct(list(titles.values()), embedder)
    return {article: vecs[title] for article, title in titles.items()}


def _embed_distinct(texts: Sequence[str], embedder: Embedder) -> dict[str, np.ndarray]:
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return {}
    return dict(zip(distinct, np.asarray(embedder.embed(distinct), dtype=np.float32), strict=True))
