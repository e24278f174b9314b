"""Story digests to and from JSON, so a built digest is stored in the outbox exactly as it will be sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from summarizer.types import Article, Quote, StoryDigest, SummarySentence


def digest_to_json(d: StoryDigest) -> dict[str, Any]:
    return {
        "story_id": d.story_id,
        "headline": d.headline,
        "is_update": d.is_update,
        "summary": [{"id": s.id, "text": s.text, "sources": list(s.sources)} for s in d.summary],
        "quotes": [
            {
                "id": q.id,
                "text": q.text,
                "speaker": q.speaker,
                "sources": list(q.sources),
                "also": list(q.also_reported_as),
            }
            for q in d.quotes
        ],
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "outlet": a.outlet,
                "url": a.url,
                "published": a.published.isoformat() if a.published else None,
            }
            for a in d.articles
        ],
    }


def digest_from_json(data: dict[str, Any]) -> StoryDigest:
    """The stored digest; article texts are not kept (messages show headline, summary, quotes, links)."""
    return StoryDigest(
        story_id=data["story_id"],
        headline=data["headline"],
        is_update=bool(data.get("is_update")),
        summary=tuple(
            SummarySentence(id=s["id"], text=s["text"], sources=tuple(s["sources"])) for s in data["summary"]
        ),
        quotes=tuple(
            Quote(
                id=q["id"],
                text=q["text"],
                speaker=q["speaker"],
                sources=tuple(q["sources"]),
                also_reported_as=tuple(q.get("also", ())),
            )
            for q in data["quotes"]
        ),
        articles=tuple(
            Article(
                id=a["id"],
                title=a["title"],
                text="",
                outlet=a["outlet"],
                url=a["url"],
                published=datetime.fromisoformat(a["published"]) if a["published"] else None,
            )
            for a in data["articles"]
        ),
    )
