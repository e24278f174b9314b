"""The ingestion pipeline: raw item -> cleaned article -> duplicate check -> store.

Each item is decided on its own: a bad one is recorded as skipped with its reason, the batch goes on,
and nothing already stored is touched except to add the new place an article was seen.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from datasketch import MinHash
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from bot.ingestion.base import ItemError, RawItem, Source
from bot.ingestion.dedup import (
    NearDuplicateIndex,
    content_fingerprint,
    from_bytes,
    minhash_signature,
    to_bytes,
)
from bot.ingestion.feeds import FeedSource
from bot.ops import metrics
from bot.storage.models import ArticleRow, ArticleSourceRow, SourceRow, utcnow
from summarizer.cleaning import canonicalize_url, clean_text

Status = Literal["new", "duplicate"]
COMMIT_EVERY = 200


@dataclass
class ItemResult:
    id: str
    status: Status
    origin: str
    duplicate_of: str | None = None
    item_id: str | None = None  # the id the input gave the item (a JSON record's `id`)
    raw_text: str = field(default="", repr=False)  # the text exactly as given, for offsets


@dataclass
class IngestReport:
    results: list[ItemResult] = field(default_factory=list)
    skipped: list[ItemError] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)


@dataclass
class _StoredNear:
    """The near-duplicate index of one store, kept for the life of the process: loaded in full once,
    then topped up with the articles first seen (sighting ids) since the last look."""

    index: NearDuplicateIndex = field(default_factory=NearDuplicateIndex)
    upto: int = 0  # the highest article_sources.id whose article is in `index`
    lock: threading.Lock = field(default_factory=threading.Lock)


_NEAR: weakref.WeakKeyDictionary[Engine, _StoredNear] = weakref.WeakKeyDictionary()
_NEAR_LOCK = threading.Lock()


def _near_index(session: Session, engine: Engine) -> NearDuplicateIndex:
    with _NEAR_LOCK:
        stored = _NEAR.setdefault(engine, _StoredNear())
    with stored.lock:
        top = session.scalar(select(func.max(ArticleSourceRow.id))) or 0
        if top < stored.upto:  # the store was emptied and refilled under us: start over
            stored.index, stored.upto = NearDuplicateIndex(), 0
        if top > stored.upto:
            fresh = select(ArticleSourceRow.article_id).where(ArticleSourceRow.id > stored.upto)
            for aid, mh in session.execute(select(ArticleRow.id, ArticleRow.minhash)
                                           .where(ArticleRow.id.in_(fresh))):
                if mh is not None:  # texts too short to compare have none
                    stored.index.add(aid, from_bytes(mh))
            stored.upto = top
    return stored.index


class _Known:
    """What the store already holds: exact matches by indexed queries (the batch's own articles are
    flushed, so they count), near duplicates from the process's LSH index of the store."""

    def __init__(self, session: Session, engine: Engine) -> None:
        self.session = session
        self.near = _near_index(session, engine)

    def fingerprint(self, aid: str) -> str | None:
        """The fingerprint of the stored article `aid`, None when there is none."""
        return self.session.scalar(select(ArticleRow.fingerprint).where(ArticleRow.id == aid))

    def first(self, column: Any, value: str) -> str | None:
        """The earliest stored article whose `column` is `value`."""
        return self.session.scalar(select(ArticleRow.id).where(column == value)
                                   .order_by(ArticleRow.fetched, ArticleRow.id).limit(1))

    def similar(self, mh: MinHash) -> str | None:
        """A stored near duplicate; keys whose article is not in the store (a rolled-back batch) are
        dropped from the index on the way."""
        while (key := self.near.find(mh)) is not None and self.fingerprint(key) is None:
            self.near.remove(key)
        return key

    def remember(self, aid: str, mh: MinHash | None) -> None:
        if mh is not None:
            self.near.add(aid, mh)


def _source_row(session: Session, source: Source) -> SourceRow:
    row = session.scalar(select(SourceRow).where(SourceRow.location == source.location))
    if row is None:
        row = SourceRow(kind=source.kind, location=source.location)
        session.add(row)
        session.flush()
    return row


def _article_id(item: RawItem, canonical: str | None, fp: str) -> str:
    if item.id:
        return item.id
    basis = canonical or item.origin or fp
    return "a" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:15]


def _outlet(item: RawItem, cleaned_outlet: str | None) -> str | None:
    if item.outlet:
        return item.outlet
    if cleaned_outlet:
        return cleaned_outlet
    if item.url:
        host = urlsplit(item.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def ingest_item(session: Session, known: _Known, source_id: int | None, item: RawItem) -> ItemResult:
    cleaned = clean_text(item.text, title=item.title, fmt=item.format)
    if len(cleaned.text.split()) < 5:
        raise ValueError("no article body after cleaning")
    canonical = canonicalize_url(item.url) if item.url else None
    fp = content_fingerprint(cleaned.text)
    aid = _article_id(item, canonical, fp)
    mh = minhash_signature(cleaned.text)

    same: str | None = None
    stored_fp = known.fingerprint(aid)
    if stored_fp == fp:
        same = aid
    elif canonical and item.id is None and (by_url := known.first(ArticleRow.canonical_url, canonical)):
        # A fetched item seen again under a new GUID. Records that carry their own ids are told apart
        # by id and content instead: one page URL can stand for several records (quiz pages, live blogs).
        same = by_url
    elif by_fp := known.first(ArticleRow.fingerprint, fp):
        same = by_fp
    elif mh is not None:
        same = known.similar(mh)
    if same is None and stored_fp is not None:
        aid = f"{aid}-{fp[:8]}"  # a different article under a reused id: keep both
        if known.fingerprint(aid) == fp:
            same = aid

    origin = item.origin or canonical or aid
    if same is not None:
        _add_sighting(session, same, source_id, origin, item, cleaned.outlet)
        return ItemResult(same, "duplicate", origin, duplicate_of=same, item_id=item.id, raw_text=item.text)

    row = ArticleRow(
        id=aid, source_id=source_id, outlet=_outlet(item, cleaned.outlet), url=item.url,
        canonical_url=canonical, title=cleaned.title or "", published=item.published,
        language=item.language, place=cleaned.place, text=cleaned.text, raw_text=item.text,
        fingerprint=fp, minhash=to_bytes(mh) if mh is not None else None, meta=item.metadata,
    )
    session.add(row)
    session.flush()
    _add_sighting(session, aid, source_id, origin, item, cleaned.outlet)
    known.remember(aid, mh)
    return ItemResult(aid, "new", origin, item_id=item.id, raw_text=item.text)


def _add_sighting(session: Session, aid: str, source_id: int | None, origin: str, item: RawItem,
                  cleaned_outlet: str | None) -> None:
    exists = session.scalar(select(ArticleSourceRow.id).where(
        ArticleSourceRow.article_id == aid, ArticleSourceRow.origin == origin))
    if exists is None:
        session.add(ArticleSourceRow(article_id=aid, source_id=source_id, origin=origin, item_id=item.id,
                                     outlet=_outlet(item, cleaned_outlet), url=item.url))


def ingest(engine: Engine, sources: Iterable[Source], progress: bool = True) -> IngestReport:
    """Ingest every item of every source.

    Each item runs in its own savepoint, so a failing item is rolled back alone and the batch goes on;
    work is committed every `COMMIT_EVERY` items and at the end.
    """
    report = IngestReport()
    with Session(engine) as session:
        known = _Known(session, engine)
        bar = tqdm(desc="ingest", unit="item", disable=None if progress else True, leave=False)
        for source in sources:
            source_row = _source_row(session, source)
            _restore_validators(source, source_row)
            for entry in source.items():
                bar.update()
                if isinstance(entry, ItemError):
                    report.skipped.append(entry)
                    metrics.INGESTED_FAILED.inc()
                    continue
                try:
                    with session.begin_nested():
                        result = ingest_item(session, known, source_row.id, entry)
                except Exception as exc:  # one bad item must not stop the batch
                    name = entry.metadata.get("path") or entry.url or entry.origin or entry.id or "item"
                    report.skipped.append(ItemError(str(name), _reason(exc)))
                    metrics.INGESTED_FAILED.inc()
                else:
                    report.results.append(result)
                    (metrics.INGESTED_NEW if result.status == "new" else metrics.INGESTED_DUPLICATE).inc()
                if len(report.results) % COMMIT_EVERY == 0:
                    session.commit()
            _save_validators(source, source_row)
            session.commit()
        bar.close()
    return report


def _restore_validators(source: Source, row: SourceRow) -> None:
    """Conditional GET: hand a feed the ETag / Last-Modified saved from its previous fetch."""
    if isinstance(source, FeedSource) and source.etag is None and source.last_modified is None:
        source.etag = row.etag
        source.last_modified = row.last_modified


def _save_validators(source: Source, row: SourceRow) -> None:
    row.last_fetched = utcnow()
    if isinstance(source, FeedSource):
        row.etag, row.last_modified = source.etag, source.last_modified


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
