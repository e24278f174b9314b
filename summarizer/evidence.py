"""Evidence for /ask: how well one retrieved passage answers a question.

Each considered hit gets an `Evidence`: the question's names and predicate words it covers, its dense
similarity, the typed spans it holds (`summarizer.spans`), its position and age; a logistic model over
these features scores the chance that its window holds the answer, which ranks passages for the
short answer and the citations (`summarizer.answers`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import accumulate
from types import MappingProxyType

from summarizer.attribution import clean_name
from summarizer.questions import (
    QType,
    Tense,
    asked_action,
    asked_tense,
    asks_owner,
    asks_passive,
    asks_why,
    question_entities,
    question_focus,
    question_type,
    root,
)
from summarizer.quotes import CUE_WORDS, extract_quotes
from summarizer.retrieval import FRESH_DAYS, Hit, age_days, token_set, tokenize
from summarizer.spans import Span, candidates
from summarizer.speakers import full_form
from summarizer.spellings import DATE, full_dates

Model = tuple[tuple[str, float], ...]  # a logistic model's weights by feature name

# P(the passage window holds the answer), fitted by `newsdigest eval --task qa --fit`
# (bot/evaluation/qa_fit.py, with the confidence model of `summarizer.answers`) on the hits of the
# answerable dev questions; out of fold (5 folds by week) the 3 best windows hold the gold answer
# for 0.566 of the answerable questions
EVIDENCE_WEIGHTS: Model = (
    ("dense", 4.525), ("entities", 0.25), ("predicate", 0.664), ("type_present", 1.54),
    ("span_score", 0.691), ("lead", 0.648), ("title_coverage", 0.21), ("recency", 1.629))
EVIDENCE_BIAS = -7.603


@dataclass(frozen=True)
class Evidence:
    """Why a hit supports the question (or not). The score is a logistic model over the features:

    - dense: cosine of question and passage; entities / predicate: coverage of the question's names and
      numbers / of its other content words by the title and window (`coverage`: of all its words);
    - type_present / span_score: a span of the asked type (date, number, name) is in the window, and
      the best such span's closeness to the question's words;
    - lead: 1 / (1 + the passage's position in its article) (news puts the facts first);
    - title_coverage: the question's words already in the title (a headline match often comes with a
      passage that only restates it, the answer being elsewhere);
    - recency: 1 / (1 + its article's age, in `FRESH_DAYS`, before the newest retrieved one): of two
      passages that match alike, the latest report answers a news question. The confidence reads
      the best passage's (`Signals.best_recency`). Undated articles count as new.
    """

    hit: Hit
    coverage: float
    entities: float
    predicate: float
    dense: float
    type_present: bool
    score: float
    sentence: str
    spans: tuple[Span, ...] = ()
    span_score: float = 0.0
    lead: float = 0.0
    title_coverage: float = 0.0
    recency: float = 1.0


def question_weights(question: str) -> dict[str, float]:
    """Question content terms; names and numbers weigh double (they pin the story down)."""
    entities = question_entities(question)
    weights: dict[str, float] = {}
    for tok in tokenize(question):
        weights[tok] = 2.0 if tok in entities or any(c.isdigit() for c in tok) else 1.0
    return weights


def _coverage(weights: Mapping[str, float], tokens: AbstractSet[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0


_QUOTE_VERBS = frozenset({"say", "said", "tell", "told", "write", "wrote"})
# verbs of a quote question ("how did X respond") that are what a question asks about elsewhere ("when will
# Pakistan respond?")
_REACTION_VERBS = frozenset({"describe", "react", "respond"})
# words that frame a question rather than name what it asks about ("what is probably true about X",
# "the *next* election": when, not what)
_FRAME = frozenset({
    "probably", "likely", "true", "false", "story", "article", "text", "author", "end", "beginning",
    "mention", "mentioned", "happen", "happened", "following", "reason", "think", "thing", "thinks",
    "thought", "feel", "felt", "believe", "believed", "long", "still", "supposed", "kind", "next",
    "upcoming", "latest", "date"})


_LAST_BEFORE = re.compile(r"\b(?:the|its|his|her|their|this|that)\s+last\b"
                          r"|\blast\s+(?:week|weekend|month|year|night|time|season|"
                          r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b", re.IGNORECASE)


def predicate_words(question: str, weights: Mapping[str, float] | None = None) -> list[str]:
    """The question's content words that are not names, numbers, the asked-for type ("which
    *country*") or question framing: what the evidence must talk about."""
    weights = weights if weights is not None else question_weights(question)
    skip = _QUOTE_VERBS | _FRAME | {question_focus(question) or ""}
    if question_type(question) == "quote":
        skip |= _REACTION_VERBS
    if _LAST_BEFORE.search(question):
        skip |= {"last"}  # "the last election", "last week": which one, not "how long did it last"
    return [t for t, w in weights.items() if w == 1.0 and t not in skip]


@dataclass(frozen=True)
class Question:
    """What a question asks, analysed once and read by every passage's assessment: its type, its
    weighted content words, the roots of its predicate words, the asked-for noun ("which *country*")
    and whether it asks for an owner ("whose"), a cause ("why") or a past date ("when did")."""

    text: str
    qtype: QType
    weights: Mapping[str, float]
    predicate: frozenset[str]
    focus: str | None
    owner: bool
    why: bool = False
    tense: Tense | None = None
    action: str | None = None
    passive: bool = False
    dates: frozenset[str] = frozenset()  # the days of a month it names ("what happened on October 29")

    @classmethod
    def parse(cls, text: str) -> Question:
        weights = question_weights(text)
        return cls(text=text, qtype=question_type(text), weights=MappingProxyType(weights),
                   predicate=frozenset(root(t) for t in predicate_words(text, weights)),
                   focus=question_focus(text), owner=asks_owner(text),
                   why=asks_why(text), tense=asked_tense(text), action=asked_action(text),
                   passive=asks_passive(text),
                   dates=full_dates(text))

    def dated(self, ev: Evidence) -> bool:
        """The passage names a day the question names (in any spelling: "Oct. 29" for "October 29")."""
        return bool(self.dates) and not self.dates.isdisjoint(full_dates(ev.hit.passage.window))

    def covers(self, sentence: str) -> float:
        """The weighted share of the question's words in `sentence`."""
        return _coverage(self.weights, token_set(sentence))


# a cause or a purpose in so many words ("which led to the failure of talks"); not "after" or "since",
# which more often only date
_CAUSE = re.compile(r"\b(?:because|due to|as a result|led to|leading to|caused|causing|owing to|"
                    r"in response to|in protest|so that|in order to|aimed at|reason)\b", re.IGNORECASE)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@lru_cache(maxsize=4096)
def _candidates(sentence: str, qtype: QType, q_tokens: frozenset[str], focus: str | None, owner: bool,
                tense: Tense | None, predicate: frozenset[str], action: str | None, passive: bool
                ) -> tuple[Span, ...]:
    """`candidates`, once per sentence and question: neighbouring passages share their edge sentences."""
    return tuple(candidates(sentence, qtype, q_tokens, focus, owner, tense, predicate, action, passive))


# verbs of speech: "who said / warned / spoke about ..." asks who speaks, often a pronoun in the sentence
_SPEECH = frozenset(root(w) for w in CUE_WORDS | {"spoke", "speak", "speaks", "speaking"})
SPEAKER_SCORE = 1.5  # above any name the sentence's words stand near: the quotation's speaker is asked
_REPORTING = re.compile(r"(?:he|she)\s+(?:also\s+|further\s+|then\s+)?(?P<verb>[a-z]+)\b", re.IGNORECASE)


def _speakers(sentences: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(speaker, sentence) for each attributed quotation of a passage window, its speaker resolved by the
    shared extractor ("…,” he warned": the person named before), and for each sentence reporting speech
    by a pronoun ("He also confirmed that ..."): the speaker quoted last before it. Named as fully as
    the window names them ("Khawaja Asif" for "Asif")."""
    window = " ".join(sentences)
    ends = list(accumulate(len(s) + 1 for s in sentences))
    said: dict[int, str] = {}  # sentence index -> its quotation's speaker
    for mention in extract_quotes(window):
        if mention.speaker is not None and DATE.search(mention.speaker) is None:  # not "Tuesday"
            i = min(bisect_right(ends, mention.start), len(sentences) - 1)
            if i not in said:  # a sentence's first quotation names its speaker
                said[i] = full_form(window, clean_name(mention.speaker), len(window))
    last = None
    for i, sentence in enumerate(sentences):
        if i in said:
            last = said[i]
            yield last, sentence
        elif last is not None and (m := _REPORTING.match(sentence)) is not None \
                and root(m.group("verb").lower()) in _SPEECH:
            yield last, sentence


def assess(question: Question, hit: Hit, latest: datetime | None = None, model: Model = EVIDENCE_WEIGHTS,
           bias: float = EVIDENCE_BIAS) -> Evidence:
    """Score one hit: coverage of the question by title + window, dense similarity, typed span;
    `latest` is the newest retrieved article's time (`summarizer.retrieval.newest`), `model` and
    `bias` the logistic model's weights by feature name."""
    weights, qtype = question.weights, question.qtype
    p = hit.passage
    title_toks = token_set(p.title)
    sentence_toks = [token_set(sent) for sent in p.window_sentences]
    tokens = title_toks.union(*sentence_toks)
    coverage = _coverage(weights, tokens)
    named = {t: 1.0 for t, w in weights.items() if w > 1.0}
    entities = _coverage(named, tokens) if named else 1.0
    # the rest of the question is what it asks *about* the names ("population", "mediated"):
    # a passage that only shares the names is about the right subject, not the asked fact
    rest = dict.fromkeys(question.predicate, 1.0)
    predicate = _coverage(rest, {root(t) for t in tokens}) if rest else 1.0
    q_tokens = frozenset(weights)
    best_sentence, best_cov = p.text, -1.0
    spans: list[Span] = []
    # within the passage, the title already gives the topic: the answer sentence is the one that
    # matches the rest of the question (its predicate: "scored twice", "were killed")
    local = {t: w for t, w in weights.items() if t not in title_toks} or weights
    for sent, sent_toks in zip(p.window_sentences, sentence_toks, strict=True):
        cov = _coverage(local, sent_toks)
        if question.why and _CAUSE.search(sent):
            cov += 0.2
        if cov > best_cov:
            best_sentence, best_cov = sent, cov
        if qtype not in ("other", "quote"):
            for span in _candidates(sent, qtype, q_tokens, question.focus, question.owner, question.tense,
                                    question.predicate, question.action, question.passive):
                spans.append(Span(span.text, span.kind, span.score + 2.0 * cov, sent))
    if qtype == "who" and question.action in _SPEECH and not question.passive:
        # "Who said Pakistan does not belong to one person?": the speaker of the passage's answering
        # sentence, though it says "he added"
        spans += [Span(name, "name", SPEAKER_SCORE + 2.0 * best_cov, sent)
                  for name, sent in _speakers(p.window_sentences) if sent == best_sentence]
    type_present = bool(spans) or qtype in ("other", "quote")
    spans.sort(key=lambda s: -s.score)
    features = {"dense": hit.dense, "entities": entities, "predicate": predicate,
                "type_present": float(type_present), "span_score": spans[0].score if spans else 0.0,
                "lead": 1.0 / (1.0 + p.index), "title_coverage": _coverage(weights, title_toks),
                "recency": 1.0 / (1.0 + age_days(hit, latest) / FRESH_DAYS)}
    z = bias + sum(w * features[name] for name, w in model)
    return Evidence(hit=hit, coverage=coverage, entities=entities, predicate=predicate, dense=hit.dense,
                    type_present=type_present, score=sigmoid(z), sentence=best_sentence,
                    spans=tuple(spans[:3]), span_score=features["span_score"], lead=features["lead"],
                    title_coverage=features["title_coverage"], recency=features["recency"])
