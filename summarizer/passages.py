"""Passages: the unit /ask retrieves and cites.

A passage is a short run of consecutive sentences (its *core*, packed to about 60 words) together with
the sentence just before and just after it (its *context*). Retrieval scores the core with the
article title in front (a sentence alone rarely names its subject), while answer extraction also looks
at the neighbours: the fact a question asks for is often one sentence away from the words it shares
with the question. Cores do not overlap, so a 600-word article gives about ten passages and the
embedding cost stays proportional to the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
        """What the retrievers see: the title (it names the subject) and the core."""
        return f"{self.title}. {self.text}" if self.title else self.text

    @property
    def window(self) -> str:
        """Core with its neighbours: where answer spans are looked for."""
        return " ".join(p for p in (self.before, self.text, self.after) if p)


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
