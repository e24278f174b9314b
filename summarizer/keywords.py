"""Event fingerprints for story clustering: names, numbers and content words of an article.

Sentence embeddings place two earthquakes, or two celebrities entering rehab, close together; what
tells such events apart is *who*, *where* and *how many*. A bag of weighted terms keeps those cues:
capitalised words inside a sentence (names, places, organisations) and numbers weigh more than plain
content words. Weighting by rarity (IDF) is left to the caller, who sees the whole stream.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

ENTITY_PREFIX = "E:"
NUMBER_PREFIX = "#"
WORD_PREFIX = "w:"
ENTITY_WEIGHT = 2.0
NUMBER_WEIGHT = 1.5

_WORD = re.compile(r"\b\w\w+\b", re.UNICODE)
_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*|\d[\d,.]*\d|\d", re.UNICODE)
_OPENERS = frozenset(".!?:;\"“”‘'(—–-|")

# Function words plus words that are capitalised in news for reasons unrelated to the event
# (weekdays, months, honorifics): they would make every story share "entities".
_STOP_TEXT = """
a about above after again against all almost also although always am among an and another any are
around as at be because been before being below between both but by can could did do does doing done
down during each either else even ever every few for from further had has have having he her here
hers herself him himself his how however i if in into is it its itself just last least less like
made make many may me might more most much must my myself near neither never new next no nor not now
of off on once one only or other our ours ourselves out over own per put rather said same say says
see seen she should since so some still such than that the their theirs them themselves then there
these they this those though through thus to too two under until up upon us very via was we were what
when where whether which while who whom whose why will with within without would yet you your yours
yourself also told according reported report reports people year years time week day today
yesterday tomorrow tonight morning evening night ago
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
mr mrs ms dr st am pm gmt est edt pst pdt bst utc updated published posted
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def _norm(token: str) -> str:
    word = token.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.strip("'-")


def event_terms(title: str, text: str) -> dict[str, float]:
    """Weighted term counts: `E:name` for capitalised words inside a sentence, `#n` for numbers,
    plain lower-case content words (crudely de-pluralised) otherwise."""
    bag: defaultdict[str, float] = defaultdict(float)
    for line in [title, *text.split("\n")] if title else text.split("\n"):
        for match in _TOKEN.finditer(line):
            token = match.group()
            if token[0].isdigit():
                bag[NUMBER_PREFIX + token.replace(",", "").rstrip(".")] += NUMBER_WEIGHT
                continue
            word = _norm(token)
            if len(word) < 3 or word in STOP_WORDS:
                continue
            before = line[max(0, match.start() - 8) : match.start()].rstrip()
            starts_sentence = not before or before[-1] in _OPENERS
            if token[0].isupper() and not starts_sentence:
                bag[ENTITY_PREFIX + word] += ENTITY_WEIGHT
            else:
                if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
                    word = word[:-1]
                bag[word] += 1.0
    return dict(bag)


def word_terms(title: str, text: str) -> dict[str, float]:
    """Plain bag of words (`w:word`, lower-case, English stop words out, numbers kept): the classic
    TF-IDF view, which on short ledes catches the shared wording that the name/number bag misses."""
    bag: defaultdict[str, float] = defaultdict(float)
    for word in _WORD.findall(f"{title}\n{text}".lower()):
        if word not in ENGLISH_STOP_WORDS:
            bag[WORD_PREFIX + word] += 1.0
    return dict(bag)


def tfidf(bag: Mapping[str, float], df: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """An L2-normalised sublinear TF-IDF vector; `df` and `n_docs` describe the stream so far."""
    vec: dict[str, float] = {}
    for term, weight in bag.items():
        idf = math.log((n_docs + 1) / (df.get(term, 0) + 1)) + 1.0
        vec[term] = (1.0 + math.log(weight)) * idf if weight >= 1.0 else weight * idf
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def mean_vector(vectors: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The normalised sum of sparse vectors (a story's keyword profile)."""
    total: defaultdict[str, float] = defaultdict(float)
    for vec in vectors:
        for term, value in vec.items():
            total[term] += value
    norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
    return {t: v / norm for t, v in total.items()}


def cosine_matrix(vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
    """All pairwise dot products of normalised sparse vectors at once (a sparse product: a story pool
    of a thousand articles would take seconds pair by pair in Python)."""
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for vec in vectors:
        for term, value in vec.items():
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(value)
        indptr.append(len(indices))
    matrix = csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int64),
                         np.asarray(indptr, dtype=np.int64)), shape=(len(vectors), max(len(vocab), 1)))
    return np.asarray((matrix @ matrix.T).toarray(), dtype=np.float32)
