"""The story clusterer's state in the store, and a warm copy of it in this process.

A poll used to read, parse, re-serialise and rewrite the whole state as one JSON value (35 MB at
5,000 open members, about 3 s a poll at 10,000 articles). Now the header (counts, settings and a
revision) is one small row, members and document frequencies are rows written only when they
change, and the process keeps its clusterer between polls for as long as the stored revision is the
one it wrote. Another process's write (a new revision) or a failed commit (the copy is not put back)
makes the next poll read the state from the store again. On PostgreSQL the header row is locked for
the poll's transaction, so concurrent workers take turns instead of overwriting each other. The
header also records the embedding model of the members' vectors: after a change of model, the open
stories are closed (their members' vectors cannot be compared with the new model's), and new
articles start new stories.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.models import StateRow, StoryMemberRow, StoryTermRow
from summarizer.embeddings import Embedder
from summarizer.stories import StoryClusterer

CLUSTER_STATE = "story-clusterer"
_CHUNK = 500
_warm: dict[str, tuple[str, StoryClusterer]] = {}  # store URL -> (revision written, clusterer)
log = logging.getLogger(__name__)


@dataclass
class Loaded:
    """A clusterer taken out for one poll: its header row and whether every record must be written."""

    clusterer: StoryClusterer
    header: StateRow
    everything: bool
    revision: str = ""  # set by `save`
    model: str = ""  # the embedding model the members' vectors come from (recorded by `save`)


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def load(session: Session, embedder: Embedder, window: timedelta, model: str = "") -> Loaded:
    """The stored clusterer (the warm copy when it is current), its header row locked on PostgreSQL.
    `model` names the embedding model behind `embedder` (`ModelsConfig.key`; empty: not checked)."""
    header = session.get(StateRow, CLUSTER_STATE, with_for_update=True)
    if header is None:  # migration 0005 creates it; a store emptied by hand gets it back here
        header = StateRow(name=CLUSTER_STATE, value={})
        session.add(header)
    value = dict(header.value or {})
    warm = _warm.pop(_key(session.get_bind().engine), None)
    recorded = value.get("model")
    if model and recorded is not None and recorded != model:
        log.warning("open stories were clustered with embedding model %s: they are closed, and new "
                    "articles start new stories with %s", recorded, model)
        session.execute(delete(StoryMemberRow))
        session.execute(delete(StoryTermRow))
        return Loaded(StoryClusterer(embedder, window=window), header, everything=False, model=model)
    if warm is not None and value.get("revision") == warm[0]:
        warm[1].embedder = embedder
        return Loaded(warm[1], header, everything=False, model=model)
    if "stories" in value:  # the whole state in one value, as written before migration 0005
        return Loaded(StoryClusterer.from_dict(value, embedder), header, everything=True, model=model)
    if not value:
        return Loaded(StoryClusterer(embedder, window=window), header, everything=False, model=model)
    stories: dict[str, list[dict[str, Any]]] = {}
    rows = select(StoryMemberRow.story_id, StoryMemberRow.record, StoryMemberRow.nearest)
    for story_id, record, nearest in session.execute(rows):
        stories.setdefault(story_id, []).append({**record, "nearest": nearest})
    df = {term: count for term, count in session.execute(select(StoryTermRow.term, StoryTermRow.count))}
    data = {**value, "df": df, "stories": [{"id": k, "members": v} for k, v in stories.items()]}
    return Loaded(StoryClusterer.from_dict(data, embedder), header, everything=False, model=model)


def save(session: Session, loaded: Loaded) -> None:
    """Write what changed since the clusterer was loaded (everything for a converted old state).
    Plain Core statements on the session's connection: the ORM's bulk path costs more than the rows."""
    changes = loaded.clusterer.take_changes(everything=loaded.everything)
    conn = session.connection()
    members, terms = cast(Table, StoryMemberRow.__table__), cast(Table, StoryTermRow.__table__)
    gone = [rec["id"] for _, rec in changes.members] + sorted(changes.dropped)
    for chunk in _chunks(gone):
        conn.execute(delete(members).where(members.c.article_id.in_(chunk)))
    rows = [{"article_id": rec["id"], "story_id": sid, "nearest": rec["nearest"],
             "record": {k: v for k, v in rec.items() if k != "nearest"}} for sid, rec in changes.members]
    for chunk in _chunks(rows):
        conn.execute(insert(members), chunk)
    moved = [{"member": article_id, "near": nearest} for article_id, nearest in changes.nearest]
    for chunk in _chunks(moved):
        conn.execute(update(members).where(members.c.article_id == bindparam("member"))
                     .values(nearest=bindparam("near")), chunk)
    if changes.df_reset:
        conn.execute(delete(terms))
    counts = [{"term": term, "count": count} for term, count in changes.df.items()]
    for chunk in _chunks(counts):
        if changes.df_reset:
            conn.execute(insert(terms), chunk)
        else:
            stmt = sqlite.insert(terms) if conn.dialect.name == "sqlite" else postgresql.insert(terms)
            upsert = stmt.on_conflict_do_update(index_elements=["term"], set_={"count": stmt.excluded.count})
            conn.execute(upsert, chunk)
    loaded.revision = uuid.uuid4().hex
    recorded = {"model": loaded.model} if loaded.model else {}
    loaded.header.value = {**changes.header, "revision": loaded.revision, **recorded}


def keep(engine: Engine, loaded: Loaded) -> None:
    """Keep the clusterer warm after its poll committed (without the texts it was given)."""
    loaded.clusterer.forget_session()
    _warm[_key(engine)] = (loaded.revision, loaded.clusterer)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    return (items[lo : lo + _CHUNK] for lo in range(0, len(items), _CHUNK))
