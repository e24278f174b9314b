"""Single web pages: one guarded GET, the article extracted with trafilatura (text and metadata).

trafilatura drops navigation, ads and comments and reads title, date, site name and canonical URL
from the page's metadata. A page where it finds no article body is one `ItemError`, not an empty
article. A canonical URL is trusted only on the page's own host: any page can claim to be another
site's article, and the pipeline deduplicates by canonical URL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import Document

from bot.ingestion.base import ItemError, RawItem
from bot.ingestion.fetch import FetchError, FetchPolicy, FetchResult, SafeClient

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = ("", "text/html", "application/xhtml+xml", "application/xml", "text/xml")
DATE_PARAMS = {"original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
MIN_PARAGRAPH_WORDS = 8
SENTENCE_END = (".", "!", "?", '"', "\u201d", "'", "\u2019", ")")


class PageSource:
    """One web page holding one article."""

    kind = "page"

    def __init__(self, url: str, policy: FetchPolicy | None = None, *,
                 client: SafeClient | None = None) -> None:
        self.location = url
        self.url = url
        self.policy = policy or (client.policy if client else FetchPolicy())
        self._client = client

    def items(self) -> Iterator[RawItem | ItemError]:
        client = self._client or SafeClient(self.policy)
        try:
            result = client.get(self.url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            yield ItemError(exc.url, exc.reason)
            return
        finally:
            if self._client is None:
                client.close()
        yield page_item(result)


def page_item(result: FetchResult) -> RawItem | ItemError:
    """The article of a fetched page, or an ItemError naming why there is none."""
    if result.content_type not in HTML_TYPES:
        return ItemError(result.url, f"not an HTML page ({result.content_type})")
    html: str | bytes = result.text() if result.charset else result.content
    return extract_article(html, result.final_url, origin=result.url)


def extract_article(html: str | bytes, url: str, origin: str | None = None) -> RawItem | ItemError:
    """Pure extraction: `url` is where the page was found (for relative links and the host check)."""
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, include_images=False,
                                          date_extraction_params=dict(DATE_PARAMS))
    except (ValueError, TypeError) as exc:  # trafilatura on unparsable markup
        return ItemError(url, f"cannot parse the page ({exc})")
    fields: dict[str, Any] = doc.as_dict() if isinstance(doc, Document) else dict(doc or {})
    text = _text(fields.get("text"))
    if not has_prose(text):
        return ItemError(url, "no article body")
    canonical = _same_site(_text(fields.get("url")), url)
    metadata: dict[str, Any] = {"fetched_url": url}
    for key in ("author", "description"):
        if _text(fields.get(key)):
            metadata[key] = _text(fields.get(key))
    if _text(fields.get("url")) and canonical != _text(fields.get("url")):
        metadata["claimed_canonical"] = _text(fields.get("url"))
    return RawItem(
        text=text,
        format="text",
        title=_text(fields.get("title")) or None,
        outlet=_text(fields.get("sitename")) or None,
        url=canonical or url,
        published=_date(fields.get("date")),
        language=_text(fields.get("language")) or None,
        origin=origin or url,
        metadata=metadata,
    )


def has_prose(text: str) -> bool:
    """An article body has at least one real paragraph: a sentence-ending line of several words.

    trafilatura falls back to whatever text a page has, so a page of menus and buttons would
    otherwise come back as a "body" made of link labels.
    """
    return any(len(line.split()) >= MIN_PARAGRAPH_WORDS and line.rstrip().endswith(SENTENCE_END)
               for line in text.splitlines())


def _same_site(candidate: str, page_url: str) -> str | None:
    """`candidate` if it is an http(s) URL on the page's host (a `www.` prefix aside)."""
    if not candidate:
        return None
    try:
        cand, page = urlsplit(candidate), urlsplit(page_url)
    except ValueError:
        return None
    if cand.scheme.lower() not in ("http", "https") or not cand.hostname or not page.hostname:
        return None
    same = cand.hostname.removeprefix("www.") == page.hostname.removeprefix("www.")
    return candidate if same else None


def _date(value: Any) -> datetime | None:
    """trafilatura gives `YYYY-MM-DD`; a date without a zone is read as UTC."""
    try:
        parsed = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
