"""Which retrieved passages an /ask answer cites, and how a citation reads.

`summarizer.answers` scores the evidence and builds the answer; this module picks the further
supporting passages from the ranked evidence and turns each into a `Citation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.evidence import Evidence
from summarizer.passages import Passage
from summarizer.retrieval import tokenize
from summarizer.types import Citation

if TYPE_CHECKING:  # the answerer imports this module
    from summarizer.answers import AnswerOptions


def citation(p: Passage, sentence: str, window: bool = True) -> Citation:
    """The cited passage: its whole window (core and neighbours: the reader sees the context the
    answer came from), or only the core plus the answer `sentence`."""
    if window:
        snippet = p.window
    elif sentence == p.before:
        snippet = f"{sentence} {p.text}"
    elif sentence == p.after:
        snippet = f"{p.text} {sentence}"
    else:
        snippet = p.text
    return Citation(article_id=p.article_id, outlet=p.outlet, url=p.url, snippet=snippet)


def repeats(a: frozenset[str], b: frozenset[str], share: float) -> bool:
    """One window repeats another: syndicated copies, a quiz blurb quoting its article."""
    return bool(a and b) and len(a & b) >= share * min(len(a), len(b))


def more_support(chosen: Sequence[Evidence], ranked: Sequence[Evidence], options: AnswerOptions,
                 best_score: float) -> list[Evidence]:
    """Further citations: other articles first (independent reports corroborate, and one article's
    neighbouring passages repeat each other), then passages of cited articles that are not next to a
    cited passage; each needs `cite_floor` of the best evidence score, and a window that repeats a
    cited one (the same wire copy under another URL) is skipped: it would show the reader nothing new."""
    room = options.max_citations - len(chosen)
    pool = [ev for ev in ranked if ev.score >= options.cite_floor * best_score]
    picked: list[Evidence] = []
    seen: dict[str, frozenset[str]] = {}

    def words(ev: Evidence) -> frozenset[str]:  # each window tokenised once
        key = ev.hit.passage.id
        if key not in seen:
            seen[key] = frozenset(tokenize(ev.hit.passage.window))
        return seen[key]

    def near(ev: Evidence, same_article_ok: bool) -> bool:
        p = ev.hit.passage
        for s in (*chosen, *picked):
            q = s.hit.passage
            if q.id == p.id or (q.article_id == p.article_id
                                and (not same_article_ok or abs(q.index - p.index) <= 1)):
                return True
            if options.repeat < 1.0 and repeats(words(ev), words(s), options.repeat):
                return True
        return False

    for same_article_ok in (False, True):
        for ev in pool:
            if len(picked) < room and not near(ev, same_article_ok):
                picked.append(ev)
    return picked
