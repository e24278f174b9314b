"""RSS and Atom feeds: one guarded conditional GET, parsed with feedparser, one `RawItem` per entry.

feedparser is lenient: a truncated or slightly broken feed still gives its good entries. Those are
kept, and one `ItemError` says the feed itself is broken, so a bad feed is visible without losing
what could be read. The ETag / Last-Modified the server sent are exposed only once every entry has
been handed over, so a caller that persists them never skips entries it did not get.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.ingestion.base import ItemError, RawItem, TextFormat
from bot.ingestion.fetch import FetchError, FetchPolicy, SafeClient

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
# feedparser's bozo warnings that say nothing about the feed's structure
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType,
             feedparser.UndeclaredNamespace)


class FeedSource:
    """A remote RSS/Atom feed; after `items()`, `etag` and `last_modified` hold the new validators."""

    kind = "feed"

    def __init__(self, url: str, policy: FetchPolicy | None = None, etag: str | None = None,
                 last_modified: str | None = None, *, client: SafeClient | None = None,
                 title: str | None = None) -> None:
        self.location = url
        self.url = url
        self.policy = policy or (client.policy if client else FetchPolicy())
        self.etag = etag
        self.last_modified = last_modified
        self.title = title
        self.final_url: str | None = None
        self.not_modified = False
        self._client = client

    def items(self) -> Iterator[RawItem | ItemError]:
        client = self._client or SafeClient(self.policy)
        try:
            result = client.get(self.url, etag=self.etag, last_modified=self.last_modified,
                                accept=FEED_ACCEPT)
        except FetchError as exc:
            yield ItemError(exc.url, exc.reason)
            return
        finally:
            if self._client is None:
                client.close()
        self.final_url = result.final_url
        self.not_modified = result.not_modified
        if not result.not_modified:
            yield from parse_feed(result.content, result.final_url, headers=result.headers,
                                  fallback_title=self.title)
        self.etag, self.last_modified = result.etag, result.last_modified


def parse_feed(content: bytes, url: str, headers: Mapping[str, str] | None = None,
               fallback_title: str | None = None) -> Iterator[RawItem | ItemError]:
    """The entries of a feed document; `url` resolves relative links and names the feed in errors."""
    response_headers = {"content-location": url}
    if headers and headers.get("content-type"):
        response_headers["content-type"] = headers["content-type"]
    try:
        parsed = feedparser.parse(io.BytesIO(content), response_headers=response_headers)
    except Exception as exc:  # its loose parser raises on some junk, e.g. chr() of "&#2000000;"
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        yield ItemError(url, f"not a readable feed ({detail})")
        return
    problem = _bozo_problem(parsed)
    if not parsed.entries:
        if problem or not parsed.get("version"):
            yield ItemError(url, f"not a readable feed ({problem or 'no RSS or Atom content'})")
        return
    feed: Mapping[str, Any] = parsed.feed
    outlet = _text(feed.get("title")) or fallback_title or (urlsplit(url).hostname or "").removeprefix("www.")
    language = _text(feed.get("language")) or None
    good = skipped = 0
    for n, entry in enumerate(parsed.entries, 1):
        item = entry_item(entry, url, n, outlet or None, language)
        if isinstance(item, RawItem):
            good += 1
            yield item
        elif problem:  # a broken feed is reported once, with its empty entries folded in
            skipped += 1
        else:
            yield item
    if problem:
        also = f", {skipped} entries without text" if skipped else ""
        yield ItemError(url, f"feed is malformed after {good} readable entries{also} ({problem})")


def entry_item(entry: Mapping[str, Any], feed_url: str, n: int, outlet: str | None,
               language: str | None) -> RawItem | ItemError:
    """One feed entry as a RawItem; the guid goes to metadata so the pipeline derives the id."""
    guid = _text(entry.get("id")) or None
    link = _http_url(entry.get("link"))
    title = _text(entry.get("title")) or None
    name = link or (f"{feed_url} entry {guid}" if guid else f"{feed_url} entry {n}")
    text, fmt = _body(entry)
    if not text.strip():
        return ItemError(name, "entry has no summary or content")
    metadata: dict[str, Any] = {"feed_url": feed_url}
    if guid:
        metadata["guid"] = guid
    if entry.get("author"):
        metadata["author"] = _text(entry.get("author"))
    tags = [_text(t.get("term")) for t in entry.get("tags") or [] if _text(t.get("term"))]
    if tags:
        metadata["tags"] = tags
    return RawItem(
        text=text,
        format=fmt,
        title=title,
        outlet=outlet,
        url=link,
        # feedparser's `get("updated_parsed")` falls back to the published date, with a deprecation
        # warning, when the entry has none; `in` checks the entry's own keys
        published=_when(entry.get("published_parsed")
                        or (entry["updated_parsed"] if "updated_parsed" in entry else None)),  # noqa: SIM401
        language=_text(entry.get("language")) or language,
        origin=link or f"{feed_url}#{guid or title or n}",
        metadata=metadata,
    )


def _body(entry: Mapping[str, Any]) -> tuple[str, TextFormat]:
    """The fullest text the entry carries: the longest content block, else the summary."""
    candidates = [c for c in entry.get("content") or [] if _text(c.get("value"))]
    summary = entry.get("summary_detail") or {}
    if _text(entry.get("summary")):
        candidates.append({"value": entry.get("summary"), "type": summary.get("type", "text/html")})
    if not candidates:
        return "", "text"
    best = max(candidates, key=lambda c: len(_text(c.get("value"))))
    fmt: TextFormat = "text" if str(best.get("type", "")).lower() == "text/plain" else "html"
    return _text(best.get("value")), fmt


def _bozo_problem(parsed: Mapping[str, Any]) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, _HARMLESS):
        return None
    message = getattr(exc, "getMessage", None)
    detail = message() if callable(message) else str(exc)
    return " ".join(str(detail).split())[:200] or type(exc).__name__


def _when(value: Any) -> datetime | None:
    """feedparser's parsed times are UTC struct_times."""
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _http_url(value: Any) -> str | None:
    """Only http(s) links are kept: a `javascript:` link must never reach a chat message."""
    text = _text(value)
    return text if urlsplit(text).scheme.lower() in ("http", "https") else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
