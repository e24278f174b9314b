"""OPML subscription lists: the feeds a reader exported, imported as one source.

An OPML file may come from anywhere, so entity declarations are refused before parsing (no entity
expansion bombs) and each listed feed is fetched under the same `FetchPolicy` as any other URL. A
failing feed yields its one `ItemError` and the other feeds go on.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bot.ingestion.base import ItemError, RawItem
from bot.ingestion.feeds import FeedSource
from bot.ingestion.fetch import FetchError, FetchPolicy, SafeClient
from bot.ingestion.files import read_text_file

OPML_ACCEPT = "text/x-opml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class FeedRef:
    """One feed an OPML list subscribes to."""

    url: str
    title: str | None = None


def parse_opml(text: str, base_url: str | None = None) -> list[FeedRef]:
    """Every outline with an `xmlUrl`, nested folders included, in order and without repeats.

    Raises ValueError for text that is not OPML. Relative feed URLs are resolved against `base_url`.
    """
    if _ENTITY.search(text):
        raise ValueError("OPML with entity declarations is not accepted")
    try:
        root = ET.fromstring(text.lstrip("\ufeff").strip())
    except ET.ParseError as exc:
        raise ValueError(f"invalid OPML ({exc})") from None
    if _local(root.tag) != "opml":
        raise ValueError(f"not an OPML document (root element <{_local(root.tag)}>)")
    refs: list[FeedRef] = []
    seen: set[str] = set()
    for outline in root.iter():
        if _local(outline.tag) != "outline":
            continue
        attrs = {k.lower(): v.strip() for k, v in outline.attrib.items()}
        url = attrs.get("xmlurl", "")
        if not url:
            continue
        if base_url:
            url = urljoin(base_url, url)
        if urlsplit(url).scheme.lower() not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        refs.append(FeedRef(url, attrs.get("title") or attrs.get("text") or None))
    return refs


class OpmlSource:
    """The items of every feed an OPML file or URL lists; `feeds` holds each feed's new validators.

    `validators` maps a feed URL to the (etag, last_modified) saved from the previous run.
    """

    kind = "opml"

    def __init__(self, path_or_url: str | Path, policy: FetchPolicy | None = None, *,
                 validators: Mapping[str, tuple[str | None, str | None]] | None = None) -> None:
        self.location = str(path_or_url)
        self.policy = policy or FetchPolicy()
        self.validators = dict(validators or {})
        self.feeds: list[FeedSource] = []

    def items(self) -> Iterator[RawItem | ItemError]:
        with SafeClient(self.policy) as client:
            try:
                refs = self._refs(client)
            except FetchError as exc:
                yield ItemError(exc.url, exc.reason)
                return
            except (OSError, ValueError) as exc:
                yield ItemError(self.location, str(exc) if isinstance(exc, ValueError)
                                else exc.strerror or str(exc))
                return
            self.feeds = []
            for ref in refs:
                etag, modified = self.validators.get(ref.url, (None, None))
                feed = FeedSource(ref.url, self.policy, etag, modified, client=client, title=ref.title)
                self.feeds.append(feed)
                yield from feed.items()

    def _refs(self, client: SafeClient) -> list[FeedRef]:
        if urlsplit(self.location).scheme.lower() in ("http", "https"):
            result = client.get(self.location, accept=OPML_ACCEPT)
            return parse_opml(result.text(), base_url=result.final_url)
        return parse_opml(read_text_file(Path(self.location)))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
