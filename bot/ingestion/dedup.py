"""Duplicate detection: exact content fingerprints and MinHash near-duplicate signatures.

The same article re-fetched under a new GUID or URL, or syndicated word for word by another outlet,
differs at most in chrome, punctuation and a few words: word 5-shingles with MinHash/LSH (datasketch)
catch it, an exact hash over normalised text catches the common case cheaply.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SCHEME = "affine32"  # stored signatures must be compared under the scheme that made them
SHINGLE = 5
THRESHOLD = 0.8
MIN_WORDS = 25  # shorter texts are compared by exact fingerprint only

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_fingerprint(text: str) -> str:
    """A hash of the words of a text, blind to case, punctuation and whitespace."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


def minhash_signature(text: str) -> MinHash | None:
    """MinHash of word 5-shingles, or None for texts too short to compare safely."""
    toks = words(text)
    if len(toks) < MIN_WORDS:
        return None
    grams = {" ".join(toks[i : i + SHINGLE]).encode("utf-8") for i in range(len(toks) - SHINGLE + 1)}
    mh = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    mh.update_batch(list(grams))
    return mh


def to_bytes(mh: MinHash) -> bytes:
    return np.asarray(mh.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=np.frombuffer(data, dtype=np.uint64))


class NearDuplicateIndex:
    """LSH over stored signatures; `find` confirms candidates by estimated Jaccard similarity."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}

    def add(self, key: str, mh: MinHash) -> None:
        if key not in self._sigs:
            self._lsh.insert(key, mh)
            self._sigs[key] = mh

    def remove(self, key: str) -> None:
        if self._sigs.pop(key, None) is not None:
            self._lsh.remove(key)

    def find(self, mh: MinHash) -> str | None:
        best: tuple[float, str] | None = None
        for key in self._lsh.query(mh):
            sim = mh.jaccard(self._sigs[key])
            if sim >= self.threshold and (best is None or (sim, key) > best):
                best = (sim, key)
        return best[1] if best else None
