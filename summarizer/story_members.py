"""An open story's member as the story clusterer keeps it, and its plain-JSON record in the state.

Kept apart from the clustering so `stories.py` holds the decisions and this module the bookkeeping:
the member's data, its canonical order, the record written to a store, and what changed since a
store last wrote (`StateChanges`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the date of undated articles, for ordering


@dataclass
class Member:
    article_id: str
    vector: np.ndarray
    terms: dict[str, float]
    published: datetime | None
    nearest: np.ndarray | None = None  # best `hub_k` similarities, descending (-inf: none yet)


@dataclass
class StateChanges:
    """The part of the state that changed (`StoryClusterer.take_changes`): the header (everything
    but members and document frequencies), the members to write again as `(story id, record)`, the
    other members whose nearest-neighbour similarities moved as `(article id, nearest)`, the
    members dropped with their closed stories, and the document frequencies of the terms that moved
    (all of them when `df_reset`: rare terms were pruned)."""

    header: dict[str, Any] = field(default_factory=dict)
    members: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    nearest: list[tuple[str, list[float]]] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    df: dict[str, int] = field(default_factory=dict)
    df_reset: bool = False
    dirty: set[str] = field(default_factory=set, repr=False)  # member ids, resolved into `members`
    moved: set[str] = field(default_factory=set, repr=False)  # member ids, resolved into `nearest`
    terms: set[str] = field(default_factory=set, repr=False)  # resolved into `df`


def member_order(m: Member) -> tuple[datetime, str]:
    return (m.published or EPOCH, m.article_id)


def member_record(m: Member) -> dict[str, Any]:
    """One member of the state as plain JSON types (see `StoryClusterer.to_dict`)."""
    return {"id": m.article_id, "vector": base64.b64encode(m.vector.astype(np.float16).tobytes()).decode(),
            "terms": m.terms, "published": m.published.isoformat() if m.published else None,
            "nearest": nearest_record(m)}


def nearest_record(m: Member) -> list[float]:
    return [] if m.nearest is None else [float(x) for x in m.nearest if np.isfinite(x)]


def member_from_record(d: dict[str, Any], hub_k: int) -> Member:
    vector = np.frombuffer(base64.b64decode(d["vector"]), dtype=np.float16).astype(np.float32)
    published = datetime.fromisoformat(d["published"]) if d.get("published") else None
    nearest = descending(np.array(d["nearest"]), hub_k) if "nearest" in d else None  # None: version < 3
    return Member(str(d["id"]), vector, {str(k): float(v) for k, v in d["terms"].items()}, published,
                   nearest)


def descending(values: np.ndarray, k: int) -> np.ndarray:
    """`values` (one record, or one per row) sorted best first and padded with -inf to `k` (a
    canonical neighbour record)."""
    values = np.asarray(values, dtype=np.float32)
    best = np.sort(values, axis=-1)[..., ::-1][..., :k]
    out = np.full((*values.shape[:-1], k), -np.inf, dtype=np.float32)
    out[..., : best.shape[-1]] = best
    return out
