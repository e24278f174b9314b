"""The versioned JSON contract of `--format json` (documented in docs/json-contract.md).

Outside checks and adapters rely on these shapes: change them only with a version bump.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from summarizer.types import Answer, Article, Quote, QuoteMention, StoryDigest

VERSION = 1


def article_ref(article: Article) -> dict[str, Any]:
    return {"id": article.id, "outlet": article.outlet, "title": article.title, "url": article.url,
            "published": article.published.isoformat() if article.published else None}


def digest_json(digests: Sequence[StoryDigest]) -> dict[str, Any]:
    return {"version": VERSION, "stories": [{
        "id": d.story_id,
        "headline": d.headline,
        "summary": [{"text": s.text, "sources": list(s.sources)} for s in d.summary],
        "quotes": [{"text": q.text, "speaker": q.speaker, "sources": list(q.sources),
                    "also_reported_as": list(q.also_reported_as)} for q in d.quotes],
        "articles": [article_ref(a) for a in d.articles],
    } for d in digests]}


def quotes_json(per_article: Mapping[str, Sequence[QuoteMention]], merged: Sequence[Quote]) -> dict[str, Any]:
    return {
        "version": VERSION,
        "articles": [{"id": aid, "quotes": [{
            "text": m.text, "speaker": m.speaker, "start": m.start, "end": m.end,
            "spans": [list(s) for s in m.spans],
            "speaker_mention": list(m.speaker_mention) if m.speaker_mention else None,
        } for m in mentions]} for aid, mentions in per_article.items()],
        "quotes": [{"text": q.text, "speaker": q.speaker, "sources": list(q.sources)} for q in merged],
    }


def answer_json(answer: Answer, qid: str | None) -> dict[str, Any]:
    return {"version": VERSION, "id": qid, "question": answer.question, "answered": answer.answered,
            "answer": answer.answer,
            "citations": [{"article": c.article_id, "outlet": c.outlet, "url": c.url, "snippet": c.snippet}
                          for c in answer.citations]}
