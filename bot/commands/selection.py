"""Which digests one chat gets: its keywords, its muted stories and its settings applied.

Shared by `/digest` and by delivery to subscriptions, so both show a chat the same stories.
"""

from __future__ import annotations

from dataclasses import replace

from bot.commands.core import NewsService
from bot.commands.state import ChatStore, Subscription
from summarizer.types import StoryDigest, SummarySentence


def trim_summary(digest: StoryDigest, max_chars: int) -> StoryDigest:
    """Keep whole summary sentences within `max_chars` (always at least the first one)."""
    kept: list[SummarySentence] = []
    used = 0
    for sentence in digest.summary:
        if kept and used + len(sentence.text) > max_chars:
            break
        kept.append(sentence)
        used += len(sentence.text) + 1
    return replace(digest, summary=tuple(kept))


def apply_settings(digests: list[StoryDigest], sub: Subscription) -> list[StoryDigest]:
    out = []
    for d in digests:
        if sub.quotes is False:
            d = replace(d, quotes=())
        if sub.summary_chars:
            d = trim_summary(d, sub.summary_chars)
        out.append(d)
    return out


def digests_for(news: NewsService, store: ChatStore, sub: Subscription) -> list[StoryDigest]:
    """The latest digests for a chat, muted stories left out, its own limits applied."""
    limit = sub.max_stories or news.config.digest.max_stories
    muted = store.muted(sub.chat)
    digests = news.latest_digests(limit=limit + len(muted), keywords=list(sub.keywords))
    return apply_settings([d for d in digests if d.story_id not in muted][:limit], sub)
