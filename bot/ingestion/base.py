"""One interface for every kind of source: a source yields raw items or per-item errors.

A `RawItem` is what a source found, before cleaning; the pipeline (`bot.ingestion.pipeline`) cleans
it into an `Article`, drops duplicates and stores it. A source never raises for one bad item: it
yields an `ItemError` naming the item and the reason, and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

TextFormat = Literal["text", "markdown", "html"]


@dataclass
class RawItem:
    """An article as a source delivered it. `id` is kept when the source gives one (JSON records)."""

    text: str
    format: TextFormat = "text"
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: datetime | None = None
    language: str | None = None
    origin: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemError:
    """One item that could not be read; `item` names it (a path, URL or record), `reason` says why."""

    item: str
    reason: str


class Source(Protocol):
    """Anything articles come from: a file, a directory, a feed, a page, an OPML list."""

    kind: str
    location: str

    def items(self) -> Iterator[RawItem | ItemError]: ...
