"""The persistent /ask index: passages of every stored article, searchable lexically and densely.

Lexical search is the database's own full-text engine, SQLite FTS5 (porter stemmer, bm25()) in the
embedded default and PostgreSQL `tsvector` + GIN with `websearch_to_tsquery` on PostgreSQL; dense search
is a cosine over the stored float32 vectors, held in one numpy matrix in memory (a few tens of MB at
100k passages, reloaded only after an add). Both rankings are fused with the same reciprocal rank
fusion as the in-memory path (`summarizer.retrieval`), so answers do not depend on the backend.

The tables belong to the store's schema and are created by migration 0004 (`bot/migrations`), with the
dialect's full-text part (FTS5 table or generated `tsvector` + GIN); nothing here creates tables. The
store's `state` table records which embedding model the passage vectors come from and the format the
rows are written in: vectors of two models cannot be compared, and bodies of an older format are spelled
otherwise than this version's questions, so a change of model in the configuration, or an upgrade that
changes the format, rebuilds the index.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
)

from bot.storage.models import Base, StateRow
from summarizer.embeddings import Embedder
from summarizer.passages import Passage, make_passages, passage_vectors, title_vectors
from summarizer.retrieval import (
    CANDIDATES,
    STOPWORDS,
    Hit,
    Mode,
    fresh_first,
    fused_pool,
    rrf,
    searchable,
    story_first,
    with_titles,
)
from summarizer.types import Article

_TERM = re.compile(r"\w+", re.UNICODE)
_CHUNK = 500
_STATE = "ask-index"  # the state row naming the passage vectors' embedding model and the rows' format
log = logging.getLogger(__name__)


ARTICLES = Table(
    "ask_articles", Base.metadata,
    Column("article_id", String(200), primary_key=True),
    Column("content_hash", String(32), nullable=False),
)
PASSAGES = Table(
    "ask_passages", Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("passage_id", String(220), nullable=False, unique=True),
    Column("article_id", String(200), ForeignKey(ARTICLES.c.article_id, ondelete="CASCADE"),
           nullable=False, index=True),
    Column("idx", Integer, nullable=False),
    Column("sentences", Text, nullable=False),  # the core sentences, one per line
    Column("before", Text, nullable=False, default=""),
    Column("after", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("outlet", String(200)),
    Column("url", Text),
    Column("published", DateTime(timezone=True)),
    Column("body", Text, nullable=False),  # what full-text search sees (title + core)
    Column("vector", LargeBinary, nullable=False),  # float32, the unit mean of the core's sentence vectors
)
FTS = "ask_passages_fts"  # SQLite FTS5 table (PostgreSQL keeps a generated `tsv` column instead)


# how passage rows are written, recorded beside the model (`AskIndex.ensure_current`): an index of
# another format is rebuilt (2: acronyms and accents folded in the full-text body, `searchable`)
_FORMAT = 2


def _content_hash(article: Article) -> str:
    parts = (article.title, article.text, article.outlet or "", article.url or "",
             article.published.isoformat() if article.published else "")
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def _terms(question: str) -> list[str]:
    """Distinct lowercase content words of the question (the full-text engines stem them), spelled as
    the passage bodies are (`searchable`: "U.S." finds "US", "Erdoğan" finds "Erdogan")."""
    seen = dict.fromkeys(t for t in (m.group().lower() for m in _TERM.finditer(searchable(question)))
                         if t not in STOPWORDS and len(t) > 1)
    return list(seen)


class AskIndex:
    """Passages of stored articles in the database, with hybrid search."""

    def __init__(self, engine: Engine, embedder: Embedder, model: str = "") -> None:
        """`engine` must be a migrated store (`bot.storage.db.migrate`); `model` names the embedding
        model behind `embedder` (`StoreCachedEmbedder.model_key`; empty: not checked)."""
        self.engine = engine
        self.embedder = embedder
        self.model = model
        self.dialect = engine.dialect.name
        self._matrix: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # ids, article ids, vectors
        self._checked = False

    def ensure_current(self) -> int:
        """Drop an index this version cannot search as it stands, so that the next sync indexes every
        article again; returns how many articles were dropped. Stale are passage vectors of another
        embedding model (the configuration changed) and passages of an older `_FORMAT` (full-text
        bodies spelled otherwise: "U.S." where questions now say "US"). Checked once per process.
        A store indexed before either was recorded keeps its index and records both."""
        if self._checked:
            return 0
        with self.engine.begin() as conn:
            value = conn.execute(select(StateRow.value).where(StateRow.name == _STATE)).scalar_one_or_none()
            recorded = dict(value or {})
            model, fmt = recorded.get("model"), recorded.get("format", 1)
            stale = []
            if self.model and model is not None and model != self.model:
                stale.append(f"embedding model {model}")
            if recorded and fmt != _FORMAT:
                stale.append(f"passage format {fmt}")
            dropped = 0
            if stale:
                dropped = int(conn.execute(select(func.count()).select_from(ARTICLES)).scalar_one())
                self._delete(conn, None)
                log.warning("the /ask index was built with %s: indexing its %d articles again with %s, "
                            "format %d", " and ".join(stale), dropped, self.model or model, _FORMAT)
            current = {"model": self.model or model, "format": _FORMAT}
            if recorded != current:
                conn.execute(delete(StateRow).where(StateRow.name == _STATE))
                conn.execute(insert(StateRow).values(name=_STATE, value=current))
        self._checked = True
        self._matrix = None
        return dropped

    # -- writing ---------------------------------------------------------------------------------
    def add_articles(self, articles: Sequence[Article]) -> int:
        """Index `articles`; unchanged ones are skipped, changed ones re-indexed. Returns how many
        articles were (re)indexed."""
        a, p = ARTICLES, PASSAGES
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
        vectors = passage_vectors(flat, self.embedder)
        title_vectors(flat, self.embedder)  # embedded now, so a search finds them in the embedder's cache
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
                    stmt = text(f"INSERT INTO {FTS}(rowid, body) "
                                f"SELECT id, body FROM {p.name} WHERE passage_id IN :ids")
                    conn.execute(stmt.bindparams(bindparam("ids", expanding=True)),
                                 {"ids": ids[lo : lo + _CHUNK]})
        self._matrix = None
        return len(todo)

    def _delete(self, conn: Any, article_ids: list[str] | None) -> None:
        """Remove these articles from the index (None: all of them)."""
        a, p = ARTICLES, PASSAGES
        if article_ids is None:
            if self.dialect == "sqlite":
                conn.execute(text(f"DELETE FROM {FTS}"))
            conn.execute(delete(p))
            conn.execute(delete(a))
            return
        if self.dialect == "sqlite":
            conn.execute(text(f"DELETE FROM {FTS} WHERE rowid IN "
                              f"(SELECT id FROM {p.name} WHERE article_id IN :ids)")
                         .bindparams(bindparam("ids", expanding=True)), {"ids": article_ids})
        conn.execute(delete(p).where(p.c.article_id.in_(article_ids)))
        conn.execute(delete(a).where(a.c.article_id.in_(article_ids)))

    # -- reading ---------------------------------------------------------------------------------
    def _vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._matrix is None:
            p = PASSAGES
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
        p = PASSAGES
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
            # FTS5's own `rank` (bm25) ordering; the join is only needed to filter by scope
            join = f" JOIN {p.name} p ON p.id = f.rowid" if scope is not None else ""
            sql = (f"SELECT f.rowid, -f.rank AS s FROM {FTS} f{join} WHERE {FTS} MATCH :q{where} "
                   f"ORDER BY f.rank, f.rowid LIMIT :n")
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
        dense: dict[int, float] = {}
        # no scope: the whole matrix, without copying it (a fancy index copies ~150 MB at 10k articles)
        rows = None if scope is None else np.flatnonzero(np.isin(arts, list(scope)))
        if qvec is not None and len(ids) and (rows is None or len(rows)):
            sims = (vecs if rows is None else vecs[rows]) @ qvec
            row_ids = ids if rows is None else ids[rows]
            depth = min(CANDIDATES * 4, len(sims))
            top = np.argpartition(-sims, depth - 1)[:depth]  # then sort only the candidates
            order = top[np.lexsort((row_ids[top], -sims[top]))]
            dense = {int(row_ids[i]): float(sims[i]) for i in order}
            if mode in ("hybrid", "dense"):
                rankings.append([int(row_ids[i]) for i in order[:CANDIDATES]])
        fused = rrf(rankings)
        best = fused_pool(fused, k)
        if best and qvec is not None:
            missing = [i for i in best if i not in dense]
            if missing:  # a lexical hit beyond the dense candidates: compute its similarity directly
                pos = np.searchsorted(ids, missing)
                dense.update(zip(missing, (vecs[pos] @ qvec).tolist(), strict=True))
        passages = self._load(best)
        hits = fresh_first([Hit(passage=passages[i], score=fused[i], lexical=lexical.get(i, 0.0),
                                dense=dense.get(i, 0.0)) for i in best if i in passages], k)
        return with_titles(hits, title_vectors([h.passage for h in hits], self.embedder), qvec)

    def _load(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        p = PASSAGES
        with self.engine.connect() as conn:
            rows = conn.execute(select(p).where(p.c.id.in_(ids))).mappings().all()
        return {int(r["id"]): Passage(
            id=r["passage_id"], article_id=r["article_id"], index=r["idx"],
            sentences=tuple(r["sentences"].split("\n")), before=r["before"], after=r["after"],
            title=r["title"], outlet=r["outlet"], url=r["url"], published=r["published"]) for r in rows}

    def leads(self, article_ids: set[str]) -> list[Hit]:
        """The first passage of each of these articles, marked as the story's (an overview question
        about a story is answered from its articles' leads, whatever its words match)."""
        p = PASSAGES
        with self.engine.connect() as conn:
            ids = [int(i) for i in conn.scalars(select(p.c.id).where(p.c.idx == 0)
                                                .where(p.c.article_id.in_(sorted(article_ids))))]
        passages = self._load(ids)
        return [Hit(passage=passages[i], score=1.0, in_story=True) for i in sorted(passages)]

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
            "published": ps.published, "body": searchable(ps.index_text),
            "vector": np.asarray(vec, dtype=np.float32).tobytes()}
