"""Getting articles in: one `Source` interface for files, feeds, pages and OPML lists."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.config import FetchConfig
from bot.ingestion.base import ItemError, RawItem, Source
from bot.ingestion.feeds import FeedSource
from bot.ingestion.fetch import FetchPolicy
from bot.ingestion.files import FileSource
from bot.ingestion.opml import OpmlSource
from bot.ingestion.pages import PageSource
from bot.ingestion.urls import UrlSource

__all__ = ["FeedSource", "FileSource", "ItemError", "OpmlSource", "PageSource", "RawItem", "Source",
           "UrlSource", "fetch_policy", "open_source"]

PREFIXES = ("feed:", "page:", "opml:")


def fetch_policy(config: FetchConfig | None = None) -> FetchPolicy:
    c = config or FetchConfig()
    return FetchPolicy(timeout=c.timeout, max_bytes=c.max_bytes, max_redirects=c.max_redirects,
                       allow_hosts=tuple(c.allow_hosts), user_agent=c.user_agent)


def open_source(location: str, config: FetchConfig | None = None) -> Source:
    """The source for a location: a path, an http(s) URL (kind sniffed from the response), or one
    prefixed with its kind (`feed:URL`, `page:URL`, `opml:PATH-OR-URL`)."""
    policy = fetch_policy(config)
    for prefix in PREFIXES:
        if location.startswith(prefix) and not location.startswith(prefix + "//"):
            target = location[len(prefix):]
            if prefix == "feed:":
                return FeedSource(target, policy)
            if prefix == "page:":
                return PageSource(target, policy)
            return OpmlSource(target, policy)
    if urlsplit(location).scheme.lower() in ("http", "https"):
        if urlsplit(location).path.lower().endswith(".opml"):
            return OpmlSource(location, policy)
        return UrlSource(location, policy)
    if Path(location).suffix.lower() == ".opml":
        return OpmlSource(location, policy)
    return FileSource(location)
