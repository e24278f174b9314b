"""Questions about a story as a whole: "What happened?", "What's the latest?", "Any updates?".

Asked in reply to a digest, such a question names nothing to search for: every word of it frames the
request. Its answer is the story's latest reporting: the lead of each of its articles (news puts what
happened first), the newest report first, a lead that repeats one already chosen (the same wire copy
under another outlet) left out. Asked without a story it has no subject, and the answerer says so
instead of searching the whole coverage for the word "happened".
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.citations import repeats
from summarizer.extractive import strip_dateline
from summarizer.retrieval import Hit, naive, stem, tokenize

# words that ask for the story in general, not for a fact of it (stemmed as `tokenize` stems them)
_OVERVIEW_TEXT = """
    happen happened happening latest news new newest recent recently update updates development
    developments situation status tell detail details summary summarise summarize recap overview gist tldr
    tl dr going go explain story background context know else anything everything next far today brief
    short quick please pls give
"""
OVERVIEW_WORDS = frozenset(stem(w) for w in _OVERVIEW_TEXT.split())


def asks_overview(question: str) -> bool:
    """Whether every content word of `question` only frames a request for the story as a whole."""
    words = tokenize(question)
    return bool(words) and all(w in OVERVIEW_WORDS for w in words)


def story_leads(hits: Sequence[Hit], limit: int, repeat: float) -> list[Hit]:
    """Up to `limit` lead passages (each article's first) of the story's hits, newest report first
    (undated ones last, in the given order); a lead sharing `repeat` of its words with a chosen one is
    skipped."""
    leads = [h for h in hits if h.in_story and h.passage.index == 0]
    leads.sort(key=lambda h: (0, -stamp.timestamp()) if (stamp := naive(h.passage.published)) else (1, 0.0))
    chosen: list[Hit] = []
    words: list[frozenset[str]] = []
    for hit in leads:
        if len(chosen) == limit:
            break
        mine = frozenset(tokenize(hit.passage.text))
        if not any(repeats(mine, theirs, repeat) for theirs in words):
            chosen.append(hit)
            words.append(mine)
    return chosen


def lede(hit: Hit) -> str:
    """A lead passage's first sentence without its dateline: what the report says happened."""
    first = hit.passage.sentences[0]
    return strip_dateline(first).strip() or first
