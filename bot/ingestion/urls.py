"""A URL given without saying what it is: fetched once, then read as a feed, an OPML list or a page."""

from __future__ import annotations

from collections.abc import Iterator

from bot.ingestion.base import ItemError, RawItem
from bot.ingestion.feeds import FEED_ACCEPT, FeedSource, parse_feed
from bot.ingestion.fetch import FetchError, FetchPolicy, FetchResult, SafeClient
from bot.ingestion.opml import parse_opml
from bot.ingestion.pages import page_item

_FEED_TYPES = ("rss", "atom", "rdf")
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")


def sniff(result: FetchResult) -> str:
    """`feed`, `opml` or `page`, from the content type and the document's first tag."""
    head = result.content[:2048].lstrip().lower()
    if b"<opml" in head:
        return "opml"
    if any(t in result.content_type for t in _FEED_TYPES) or any(r in head for r in _FEED_ROOTS):
        return "feed"
    return "page"


class UrlSource:
    kind = "url"

    def __init__(self, url: str, policy: FetchPolicy) -> None:
        self.location = url
        self.url = url
        self.policy = policy

    def items(self) -> Iterator[RawItem | ItemError]:
        with SafeClient(self.policy) as client:
            try:
                result = client.get(self.url, accept=FEED_ACCEPT + ", text/html;q=0.8")
            except FetchError as exc:
                yield ItemError(exc.url, exc.reason)
                return
            kind = sniff(result)
            if kind == "feed":
                yield from parse_feed(result.content, result.final_url, headers=result.headers)
            elif kind == "opml":
                try:
                    refs = parse_opml(result.text(), base_url=result.final_url)
                except ValueError as exc:
                    yield ItemError(self.url, f"invalid OPML ({exc})")
                    return
                for ref in refs:
                    yield from FeedSource(ref.url, self.policy, client=client, title=ref.title).items()
            else:
                yield page_item(result)
