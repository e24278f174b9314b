"""Only what is new: which stories a channel gets in a slot, with updates of the stories it has seen.

A story the channel never got comes as a full digest; a story it got that has new articles since comes
as an update from `summarizer.digest.update_digest` (only sentences and quotes not sent before, marked
`is_update`), or not at all when nothing in it is new. Keyword filters are plain words or phrases
matched on word boundaries, case-insensitively; user text never becomes a regular expression.
Equal inputs (same story, same seen ids) are computed once, so a fan-out to many chats costs one digest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.commands.selection import trim_summary
from summarizer.digest import DigestOptions, summarize_story, update_digest
from summarizer.embeddings import Embedder
from summarizer.quote_merge import merge_quotes
from summarizer.quotes import extract_quotes
from summarizer.types import Quote, Story, StoryDigest


@dataclass(frozen=True)
class Seen:
    """What a channel was sent of one story."""

    article_ids: frozenset[str] = frozenset()
    sentence_ids: frozenset[str] = frozenset()
    quote_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Preferences:
    """A subscription's filters and settings (None: the configured default)."""

    keywords: tuple[str, ...] = ()
    max_stories: int | None = None
    muted: frozenset[str] = frozenset()
    quotes: bool | None = None
    summary_chars: int | None = None


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern matching any keyword as whole words; a phrase's words may be split by any spacing."""
    words = [k.split() for k in keywords if k.strip()]
    if not words:
        return None
    alternatives = [r"\s+".join(re.escape(w) for w in phrase) for phrase in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def story_matches(story: Story, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None:
        return True
    return any(pattern.search(a.title) or pattern.search(a.text) for a in story.articles)


@dataclass
class Planner:
    """Per-slot digests for many subscriptions over one set of recent stories."""

    stories: Sequence[Story]
    embedder: Embedder
    options: DigestOptions = field(default_factory=DigestOptions)
    default_max_stories: int = 10
    _quotes: dict[str, list[Quote]] = field(default_factory=dict, repr=False)
    _full: dict[str, StoryDigest] = field(default_factory=dict, repr=False)
    _updates: dict[tuple[str, frozenset[str], frozenset[str]], StoryDigest | None] = field(
        default_factory=dict, repr=False
    )
    _patterns: dict[tuple[str, ...], re.Pattern[str] | None] = field(default_factory=dict, repr=False)

    def quotes(self, story: Story) -> list[Quote]:
        if story.id not in self._quotes:
            self._quotes[story.id] = merge_quotes({a.id: extract_quotes(a.text) for a in story.articles})
        return self._quotes[story.id]

    def full(self, story: Story) -> StoryDigest:
        if story.id not in self._full:
            self._full[story.id] = summarize_story(story, self.embedder, self.quotes(story), self.options)
        return self._full[story.id]

    def update(self, story: Story, seen: Seen) -> StoryDigest | None:
        key = (story.id, seen.sentence_ids, seen.quote_ids)
        if key not in self._updates:
            self._updates[key] = update_digest(
                story,
                self.embedder,
                set(seen.sentence_ids),
                set(seen.quote_ids),
                self.quotes(story),
                self.options,
            )
        return self._updates[key]

    def plan(self, prefs: Preferences, seen: Mapping[str, Seen]) -> list[tuple[Story, StoryDigest]]:
        """The digests of one slot for one channel, best stories first, at most `max_stories`."""
        limit = prefs.max_stories or self.default_max_stories
        key = tuple(prefs.keywords)
        if key not in self._patterns:
            self._patterns[key] = keyword_pattern(prefs.keywords)
        pattern = self._patterns[key]
        out: list[tuple[Story, StoryDigest]] = []
        for story in self.stories:
            if len(out) >= limit:
                break
            if story.id in prefs.muted or not story_matches(story, pattern):
                continue
            before = seen.get(story.id)
            if before is None:
                digest: StoryDigest | None = self.full(story)
            elif {a.id for a in story.articles} - before.article_ids:
                digest = self.update(story, before)
            else:
                continue
            if digest is not None:
                out.append((story, _settings(digest, prefs)))
        return out


def _settings(digest: StoryDigest, prefs: Preferences) -> StoryDigest:
    if prefs.quotes is False:
        digest = replace(digest, quotes=())
    if prefs.summary_chars:
        digest = trim_summary(digest, prefs.summary_chars)
    return digest


def seen_after(before: Seen | None, story: Story, digest: StoryDigest) -> Seen:
    """The channel's seen state of a story once `digest` is stored for it."""
    base = before or Seen()
    return Seen(
        article_ids=base.article_ids | {a.id for a in story.articles},
        sentence_ids=base.sentence_ids | {s.id for s in digest.summary},
        quote_ids=base.quote_ids | {q.id for q in digest.quotes},
    )
