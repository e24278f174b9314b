"""The persistent /ask index: passages of every stored article, searchable lexically and densely.

Lexical search is the database's own full-text engine, SQLite FTS5 (porter stemmer, bm25()) in the
embedded default and PostgreSQL `tsvector` + GIN with `websearch_to_tsquery` on PostgreSQL; dense search
is a cosine over the stored float32 vectors, held in one numpy matrix in memory (a few tens of MB at
100k passages, reloaded only after an add). Both rankings are fused with the same reciprocal rank
fusion as the in-memory path (`summarizer.retrieval`), so answers do not depend on the backend.

The tables live in one `MetaData` (built per table prefix, so tests can run side by side); the
dialect-specific full-text DDL hangs off it as create/drop events, ready to move into a migration.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import (
    DDL,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    delete,
    event,
    insert,
    select,
    text,
)

from summarizer.embeddings import Embedder
from summarizer.passages import Passage, make_passages
from summarizer.retrieval import CANDIDATES, STOPWORDS, Hit, Mode, rrf, story_first
from summarizer.types import Article

_TERM = re.compile(r"\w+", re.UNICODE)
_CHUNK = 500


@dataclass(frozen=True)
class Schema:
    """The index tables of one prefix, all in one `MetaData`."""

    metadata: MetaData
    articles: Table
    passages: Table
    fts: str  # the SQLite FTS5 table name (PostgreSQL keeps a generated tsvector column instead)


def build_schema(prefix: str = "ask_") -> Schema:
    """Tables `<prefix>articles` and `<prefix>passages`, plus the full-text DDL for each dialect."""
    md = MetaData()
    articles = Table(
        f"{prefix}articles", md,
        Column("article_id", String(200), primary_key=True),
        Column("content_hash", String(32), nullable=False),
    )
    passages = Table(
        f"{prefix}passages", md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("passage_id", String(220), nullable=False, unique=True),
        Column("article_id", String(200), ForeignKey(articles.c.article_id, ondelete="CASCADE"),
               nullable=False, index=True),
        Column("idx", Integer, nullable=False),
        Column("sentences", Text, nullable=False),  # the core sentences, one per line
        Column("before", Text, nullable=False, default=""),
        Column("after", Text, nullable=False, default=""),
        Column("title", Text, nullable=False, default=""),
        Column("outlet", String(200)),
        Column("url", Text),
        Column("published", DateTime(timezone=True)),
        Column("body", Text, nullable=False),  # what the retrievers see (title + core)
        Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised
    )
    fts = f"{prefix}passages_fts"
    p = passages.name
    for ddl in (f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(body, tokenize='porter unicode61')",):
        event.listen(md, "after_create", DDL(ddl).execute_if(dialect="sqlite"))
    event.listen(md, "before_drop", DDL(f"DROP TABLE IF EXISTS {fts}").execute_if(dialect="sqlite"))
    for ddl in (f"ALTER TABLE {p} ADD COLUMN IF NOT EXISTS tsv tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
                f"CREATE INDEX IF NOT EXISTS {p}_tsv_gin ON {p} USING GIN (tsv)"):
        event.listen(passages, "after_create", DDL(ddl).execute_if(dialect="postgresql"))
    return Schema(md, articles, passages, fts)


SCHEMA = build_schema()
metadata = SCHEMA.metadata


def _content_hash(article: Article) -> str:
    parts = (article.title, article.text, article.outlet or "", article.url or "",
             article.published.isoformat() if article.published else "")
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def _terms(question: str) -> list[str]:
    """Distinct lowercase content words of the question (the full-text engines stem them)."""
    seen = dict.fromkeys(t for t in (m.group().lower() for m in _TERM.finditer(question))
                         if t not in STOPWORDS and len(t) > 1)
    return list(seen)


class AskIndex:
    """Passages of stored articles in the database, with hybrid search."""

    def __init__(self, engine: Engine, embedder: Embedder, prefix: str = "ask_", create: bool = True) -> None:
        self.engine = engine
        self.embedder = embedder
        self.schema = SCHEMA if prefix == "ask_" else build_schema(prefix)
        self.dialect = engine.dialect.name
        self._matrix: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # ids, article ids, vectors
        if create:
            self.schema.metadata.create_all(engine)

    def drop(self) -> None:
        self.schema.metadata.drop_all(self.engine)

    # -- writing ---------------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        """Index `articles`; unchanged ones are skipped, changed ones re-indexed. Returns how many
        articles were (re)indexed."""
        a, p = self.schema.articles, self.schema.passages
        unique = list({art.id: art for art in articles}.values())
        hashes = {art.id: _content_hash(art) for art in unique}
        known: dict[str, str] = {}
        with self.engine.connect() as conn:
            for lo in range(0, len(unique), _CHUNK):
                ids = [art.id for art in unique[lo : lo + _CHUNK]]
                stored = conn.execute(select(a.c.article_id, a.c.content_hash).where(a.c.article_id.in_(ids)))
                known.update((str(aid), str(h)) for aid, h in stored)
        todo = [art for art in unique if known.get(art.id) != hashes[art.id]]
        if not todo:
            return 0
        passages = [(art, ps) for art in todo for ps in [make_passages(art)]]
        flat = [ps for _, group in passages for ps in group]
        vectors = self.embedder.embed([ps.index_text for ps in flat]) if flat else np.zeros((0, 1))
        with self.engine.begin() as conn:
            stale = [art.id for art in todo if art.id in known]
            if stale:
                self._delete(conn, stale)
            conn.execute(insert(a), [{"article_id": art.id, "content_hash": hashes[art.id]} for art in todo])
            rows = [_row(ps, vec) for ps, vec in zip(flat, vectors, strict=True)]
            for lo in range(0, len(rows), _CHUNK):
                conn.execute(insert(p), rows[lo : lo + _CHUNK])
            if self.dialect == "sqlite" and rows:
                ids = [ps.id for ps in flat]
                for lo in range(0, len(ids), _CHUNK):
                    stmt = text(f"INSERT INTO {self.schema.fts}(rowid, body) "
                                f"SELECT id, body FROM {p.name} WHERE passage_id IN :ids")
                    conn.execute(stmt.bindparams(bindparam("ids", expanding=True)),
                                 {"ids": ids[lo : lo + _CHUNK]})
        self._matrix = None
        return len(todo)

    def _delete(self, conn: Any, article_ids: list[str]) -> None:
        a, p = self.schema.articles, self.schema.passages
        if self.dialect == "sqlite":
            conn.execute(text(f"DELETE FROM {self.schema.fts} WHERE rowid IN "
                              f"(SELECT id FROM {p.name} WHERE article_id IN :ids)")
                         .bindparams(bindparam("ids", expanding=True)), {"ids": article_ids})
        conn.execute(delete(p).where(p.c.article_id.in_(article_ids)))
        conn.execute(delete(a).where(a.c.article_id.in_(article_ids)))

    # -- reading ---------------------------------------------------------------------------------
    def _vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._matrix is None:
            p = self.schema.passages
            with self.engine.connect() as conn:
                rows = conn.execute(select(p.c.id, p.c.article_id, p.c.vector).order_by(p.c.id)).all()
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            arts = np.array([r[1] for r in rows], dtype=object)
            dim = int(self.embedder.dim)
            vecs = (np.stack([np.frombuffer(r[2], dtype=np.float32) for r in rows]) if rows
                    else np.zeros((0, dim), dtype=np.float32))
            self._matrix = (ids, arts, vecs)
        return self._matrix

    def _lexical(self, question: str, scope: set[str] | None, n: int) -> list[tuple[int, float]]:
        terms = _terms(question)
        if not terms or (scope is not None and not scope):
            return []
        p = self.schema.passages
        params: dict[str, Any] = {"n": n}
        where = ""
        if scope is not None:
            where = " AND p.article_id IN :scope"
            params["scope"] = sorted(scope)
        if self.dialect == "postgresql":
            params["q"] = " or ".join(terms)
            sql = (f"SELECT p.id, ts_rank_cd(p.tsv, q) AS s FROM {p.name} p, "
                   f"websearch_to_tsquery('english', :q) q WHERE p.tsv @@ q{where} "
                   f"ORDER BY s DESC, p.id LIMIT :n")
        else:
            params["q"] = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
            sql = (f"SELECT f.rowid, -bm25({self.schema.fts}) AS s FROM {self.schema.fts} f "
                   f"JOIN {p.name} p ON p.id = f.rowid WHERE {self.schema.fts} MATCH :q{where} "
                   f"ORDER BY s DESC, f.rowid LIMIT :n")
        stmt = text(sql)
        if scope is not None:
            stmt = stmt.bindparams(bindparam("scope", expanding=True))
        with self.engine.connect() as conn:
            return [(int(r[0]), float(r[1])) for r in conn.execute(stmt, params)]

    def _search_scope(self, question: str, qvec: np.ndarray | None, scope: set[str] | None, k: int,
                      mode: Mode) -> list[Hit]:
        rankings: list[list[int]] = []
        lexical: dict[int, float] = {}
        if mode in ("hybrid", "bm25"):
            lex = self._lexical(question, scope, CANDIDATES)
            lexical = dict(lex)
            rankings.append([pid for pid, _ in lex])
        ids, arts, vecs = self._vectors()
        mask = np.ones(len(ids), dtype=bool) if scope is None else np.isin(arts, list(scope))
        dense: dict[int, float] = {}
        if qvec is not None and mask.any():
            rows = np.flatnonzero(mask)
            sims = vecs[rows] @ qvec
            order = np.lexsort((ids[rows], -sims))
            dense = {int(ids[rows[i]]): float(sims[i]) for i in order[: CANDIDATES * 4]}
            if mode in ("hybrid", "dense"):
                rankings.append([int(ids[rows[i]]) for i in order[:CANDIDATES]])
        fused = rrf(rankings)
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        if best and qvec is not None:
            missing = [i for i in best if i not in dense]
            if missing:  # a lexical hit beyond the dense candidates: compute its similarity directly
                pos = np.searchsorted(ids, missing)
                dense.update(zip(missing, (vecs[pos] @ qvec).tolist(), strict=True))
        passages = self._load(best)
        return [Hit(passage=passages[i], score=fused[i], lexical=lexical.get(i, 0.0), dense=dense.get(i, 0.0))
                for i in best if i in passages]

    def _load(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        p = self.schema.passages
        with self.engine.connect() as conn:
            rows = conn.execute(select(p).where(p.c.id.in_(ids))).mappings().all()
        return {int(r["id"]): Passage(
            id=r["passage_id"], article_id=r["article_id"], index=r["idx"],
            sentences=tuple(r["sentences"].split("\n")), before=r["before"], after=r["after"],
            title=r["title"], outlet=r["outlet"], url=r["url"], published=r["published"]) for r in rows}

    def search(self, question: str, story_article_ids: set[str] | None = None, scope: set[str] | None = None,
               k: int = 10, mode: Mode = "hybrid") -> list[Hit]:
        """Top-`k` passages for `question` within `scope` (None: all), the story's passages first."""
        # embedded in every mode: the refusal weighs the dense similarity even of BM25-ranked hits
        qvec = self.embedder.embed([question])[0].astype(np.float32)
        return story_first(lambda sc, n: self._search_scope(question, qvec, sc, n, mode),
                           story_article_ids, scope, k)


def _row(ps: Passage, vec: np.ndarray) -> dict[str, Any]:
    return {"passage_id": ps.id, "article_id": ps.article_id, "idx": ps.index,
            "sentences": "\n".join(ps.sentences),
            "before": ps.before, "after": ps.after, "title": ps.title, "outlet": ps.outlet, "url": ps.url,
            "published": ps.published, "body": ps.index_text,
            "vector": np.asarray(vec, dtype=np.float32).tobytes()}
