"""The open pool's TF-IDF rows for the story clusterer, kept from one batch to the next.

Every batch scores its newcomers against every open member, under document frequencies that move
with each batch. Rebuilding the pool's sparse matrices for that (thousands of members, hundreds of
terms each) cost more per batch the larger the pool grew. Here the pool's raw term frequencies stay in
two sparse matrices (event terms, plain words) between batches: newcomers are appended, members of
closed stories are cut out, and only the idf weighting and the row norms - vectorised passes over the
stored entries - are redone per batch. The weighting is `keywords.tfidf`'s: sublinear term
frequency times `log((n + 1) / (df + 1)) + 1`, each row L2-normalised.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix, vstack

from summarizer.keywords import WORD_PREFIX
from summarizer.story_members import Member


class PoolTerms:
    """Vocabulary, document frequencies by column, and the pool's raw term rows."""

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}  # term -> column
        self._names: list[str] = []
        self._df_of = np.zeros(0)  # document frequency by column (a cache of the clusterer's counts)
        self._moved: set[str] = set()  # terms whose count changed since `_df_of` was brought up to date
        self._row_of: dict[str, int] = {}  # article id -> row of the raw matrices
        self._raw = (_empty(0), _empty(0))  # sublinear tf: event terms, plain words

    def moved(self, terms: Iterable[str]) -> None:
        """Note terms whose document frequency changed."""
        self._moved.update(terms)

    def products(self, pool: Sequence[Member], rows: np.ndarray, df: Mapping[str, int],
                 n_docs: int) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF cosines (event terms, plain words) of the `rows` members of `pool` with every member,
        each of shape (len(rows), len(pool)), columns in pool order."""
        self._sync(pool)
        idf = self._idf(df, n_docs)
        order = np.fromiter((self._row_of[m.article_id] for m in pool), dtype=np.intp, count=len(pool))
        out = []
        for raw in self._raw:
            weighted = _weighted(raw, idf)
            # pool x rows: summed over each pool row's own entries, in the order of its member's terms,
            # so a figure does not depend on where the member sits in the matrix (warm or restored)
            sims = (weighted @ weighted[order[rows]].T).toarray()
            out.append(np.ascontiguousarray(sims[order].T, dtype=np.float32))
        return out[0], out[1]

    def _sync(self, pool: Sequence[Member]) -> None:
        """Cut out members no longer in the pool, append those not yet in the matrices."""
        present = {m.article_id for m in pool}
        if any(a not in present for a in self._row_of):
            kept = sorted((row, a) for a, row in self._row_of.items() if a in present)
            keep = np.array([row for row, _ in kept], dtype=np.intp)
            self._raw = (self._raw[0][keep], self._raw[1][keep])
            self._row_of = {a: i for i, (_, a) in enumerate(kept)}
        new = [m for m in pool if m.article_id not in self._row_of]
        if not new:
            return
        fresh = self._matrices(new)
        event, words = (vstack([_widen(old, len(self._names)), add], format="csr")
                        for old, add in zip(self._raw, fresh, strict=True))
        self._raw = (event, words)
        start = len(self._row_of)
        self._row_of.update((m.article_id, start + i) for i, m in enumerate(new))

    def _matrices(self, members: Sequence[Member]) -> tuple[csr_matrix, csr_matrix]:
        """Raw rows of `members`: sublinear term frequencies by vocabulary column, event terms and
        plain words apart, each row's entries in the order of the member's terms."""
        ids: list[int] = []
        tf: list[float] = []
        is_word: list[bool] = []
        lengths: list[int] = []
        for member in members:
            for term, weight in member.terms.items():
                column = self._vocab.get(term)
                if column is None:
                    column = self._vocab[term] = len(self._names)
                    self._names.append(term)
                ids.append(column)
                tf.append(1.0 + math.log(weight) if weight >= 1.0 else weight)
                is_word.append(term.startswith(WORD_PREFIX))
            lengths.append(len(member.terms))
        row = np.repeat(np.arange(len(members)), lengths)
        columns, values, words = np.array(ids, dtype=np.int64), np.array(tf), np.array(is_word, dtype=bool)
        out = []
        for part in (~words, words):
            indptr = np.concatenate([[0], np.cumsum(np.bincount(row[part], minlength=len(members)))])
            shape = (len(members), len(self._names))
            out.append(csr_matrix((values[part], columns[part], indptr), shape=shape))
        return out[0], out[1]

    def _idf(self, df: Mapping[str, int], n_docs: int) -> np.ndarray:
        """The idf of every vocabulary term. Document frequencies are looked up only for new terms and
        for those that moved since the last call: the vocabulary runs to 100,000s of terms."""
        known = len(self._df_of)
        fresh = [df.get(t, 0) for t in self._names[known:]]
        self._df_of = np.concatenate([self._df_of, np.array(fresh, dtype=np.float64)])
        for term in self._moved:
            column = self._vocab.get(term)
            if column is not None and column < known:
                self._df_of[column] = df.get(term, 0)
        self._moved.clear()
        return np.log((n_docs + 1) / (self._df_of + 1.0)) + 1.0


def _empty(width: int) -> csr_matrix:
    return csr_matrix((0, width), dtype=np.float64)


def _widen(matrix: csr_matrix, width: int) -> csr_matrix:
    """The same rows with room for a grown vocabulary (no copy of the entries)."""
    return csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width))


def _weighted(raw: csr_matrix, idf: np.ndarray) -> csr_matrix:
    """`raw` times idf by column, each row L2-normalised, as float32."""
    row = np.repeat(np.arange(raw.shape[0]), np.diff(raw.indptr))
    weights = raw.data * idf[raw.indices]
    norm = np.sqrt(np.bincount(row, weights=weights**2, minlength=raw.shape[0]))
    norm[norm == 0.0] = 1.0
    data = (weights / norm[row]).astype(np.float32)
    return csr_matrix((data, raw.indices, raw.indptr), shape=(raw.shape[0], len(idf)))
