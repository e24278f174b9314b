"""Getting articles in: one `Source` interface for files, feeds, pages and OPML lists."""

from __future__ import annotations

from bot.ingestion.base import ItemError, RawItem, Source
from bot.ingestion.files import FileSource

__all__ = ["FileSource", "ItemError", "RawItem", "Source", "open_source"]


def open_source(location: str) -> Source:
    """The source for a location given on the command line or in the config."""
    return FileSource(location)
