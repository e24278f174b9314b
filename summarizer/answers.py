"""Grounded answers for /ask: a short typed span, the supporting passages with numbered citations, or
an honest refusal.

Pure code over retrieved `Hit`s (question analysis lives in `summarizer.questions`, span candidates
in `summarizer.spans`, per-passage evidence in `summarizer.evidence`):
1. each considered hit gets an evidence score, a logistic model (`Evidence`) of the chance its window
   holds the answer (dense similarity, coverage of the question's names and predicate, a span of the
   asked type nearby, position in the article): it ranks passages for the short span and citations;
2. the question as a whole gets a calibrated confidence from scale-free signals (`Signals`: the best
   evidence and how it stands out, the dense match, agreement of the lexical and dense retrievers).
   Below the threshold, or when no passage mentions what the question asks about its names, we
   refuse instead of guessing. A quote question is answered when the asked speaker's attributed
   quotations are found;
3. the short answer (`summarizer.short_answer`) is the typed candidate (date, number, name, place)
   nearest the question's words, pooled over outlets (one date in any spelling is one vote); when
   outlets report different numbers or dates for the same slot, both are shown, the latest report
   first. Citations are the passage windows of other articles first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from summarizer.attributed import (
    Attributed,
    description_answer,
    holder_answer,
    named_in,
    quote_answer,
    reported_answer,
)
from summarizer.citations import citation, more_support
from summarizer.descriptions import asked_acronym, asked_of, asked_person, asked_title, expand
from summarizer.evidence import (
    EVIDENCE_BIAS,
    EVIDENCE_WEIGHTS,
    Evidence,
    Model,
    Question,
    assess,
    sigmoid,
)
from summarizer.overview import asks_overview, lede, story_leads
from summarizer.questions import QType, expand_contractions, question_speaker, truecase
from summarizer.retrieval import Hit, newest
from summarizer.short_answer import holders_only, states, typed_answer
from summarizer.spellings import span_key
from summarizer.types import Answer, Citation

REFUSAL = "I couldn't find that in the coverage."
NO_STORY = "Which story do you mean? Ask that in reply to the story's digest."

# fitted by `newsdigest eval --task qa --fit` (bot/evaluation/qa_fit.py), with the evidence model of
# `summarizer.evidence`, on the qa dev half (1,451 questions, hybrid retrieval, sentence and title vectors
# as the bot computes them). Question-level confidence (see `Signals`), logistic regression: 5-fold
# cross-validation grouped by week/text gives TRR 0.830 at FRR 0.10. The threshold refuses 9% of the
# answerable dev questions, not 10%: int8 vectors differ slightly from one CPU to another (the same
# threshold refused 9.6% on one machine, 10.4% on another), and a margin of about one standard error
# (0.009 over 1,133 answerable questions) keeps the false refusals under 10% on other vectors and
# other questions; TRR stays 0.818
CONFIDENCE_WEIGHTS: Model = (
    ("dense_top", 3.216), ("dense_gap", 0.917), ("agreement", 1.183), ("same_top", 0.199),
    ("evidence_top", 4.636), ("evidence_margin", 3.357), ("best_predicate", 1.313), ("best_span", -0.613),
    ("best_title", -1.28), ("best_recency", -0.789))
CONFIDENCE_BIAS = -2.257
CONFIDENCE_THRESHOLD = 0.59


@dataclass(frozen=True)
class AnswerOptions:
    """Knobs of the answerer.

    Two logistic models, both with global weights fitted once on the dev half of the qa eval set
    (never per question): the per-passage evidence score ranks passages for spans and citations; the
    question-level confidence (`Signals`) decides whether to answer at all, its threshold set for a
    false-refusal rate of 0.09 over all dev questions (a margin under the 0.10 target).
    """

    max_citations: int = 3
    consider: int = 30  # hits looked at for evidence and spans
    evidence: Model = EVIDENCE_WEIGHTS
    evidence_bias: float = EVIDENCE_BIAS
    cite_floor: float = 0.25  # further citations need this share of the best evidence score
    repeat: float = 0.8  # a citation sharing this share of its words with a cited one repeats it
    vote_floor: float = 0.75  # span votes count from passages with this share of the best score
    weak_span: float = 0.7  # ... unless none of their spans scores this much (far from the question)
    snippet_window: bool = True  # cite the passage with its neighbouring sentences
    story_margin: float = 0.1  # a story hit wins unless an outside hit is this much better
    date_margin: float = 0.2  # ... and so does a hit naming the day the question names
    confidence: Model = CONFIDENCE_WEIGHTS
    confidence_bias: float = CONFIDENCE_BIAS
    threshold: float = CONFIDENCE_THRESHOLD  # below: refuse


@dataclass(frozen=True)
class Grounded:
    """The structured answer before rendering: what the eval scores and the adapters may reuse."""

    question: str
    qtype: QType
    answered: bool
    short: str
    support: tuple[str, ...]
    citations: tuple[Citation, ...]
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)
    disagreement: bool = False
    confidence: float = 0.0
    quoted: bool = False  # answered with the asked speaker's quotations
    described: bool = False  # answered with the coverage's title for the asked person or name for an acronym

    def to_answer(self) -> Answer:
        if not self.answered:  # the refusal's wording is its short answer
            return Answer(question=self.question, answered=False, answer=self.short)
        body = "\n".join(f"{s} [{i + 1}]" for i, s in enumerate(self.support))
        text = f"{self.short}\n\n{body}" if body and self.short not in self.support else body or self.short
        return Answer(question=self.question, answered=True, answer=text, citations=self.citations)


@dataclass(frozen=True)
class Signals:
    """Question-level evidence for answering at all (query-performance signals, scale-free):

    - dense_top, dense_gap: the best dense similarity, and how far it stands out from the tenth (a
      removed answer leaves a flat list);
    - agreement: overlap (Jaccard) of the articles of the ten best passages by each retriever;
    - same_top: both retrievers' best passages come from one article;
    - evidence_top, evidence_margin: the best passage's evidence score, and its lead over the mean of
      the ten best (one passage that plainly holds the answer, not many that half match);
    - best_predicate, best_span: that passage's coverage of the question's predicate words, and how
      close its best span of the asked type (a date for "when") sits to the question's words;
    - best_title: the similarity of the question to that passage's article title (is the article
      about what is asked at all; passage vectors, means of sentence vectors, do not carry the title);
    - best_recency: that passage's `Evidence.recency`. The evidence score already favours new
      passages, so its fitted weight is negative: a best passage that leads partly by being new is
      less sure to answer than one that leads on its match alone (cross-validated TRR 0.827 with
      it, 0.814 without);
    - entities / predicate: the best coverage, by one considered passage, of the question's names and
      numbers / of its other content words (what it asks about them). Not in the model: a question
      whose predicate no passage mentions is refused outright ("the population of Kabul" in coverage
      that names Kabul but never its population).
    """

    dense_top: float
    dense_gap: float
    agreement: float
    same_top: float
    evidence_top: float
    evidence_margin: float
    best_predicate: float
    best_span: float
    best_title: float
    best_recency: float
    entities: float
    predicate: float

    def confidence(self, options: AnswerOptions) -> float:
        if self.predicate == 0.0:
            return 0.0
        z = options.confidence_bias + sum(w * float(getattr(self, name)) for name, w in options.confidence)
        return sigmoid(z)


def signals(hits: Sequence[Hit], evidence: Sequence[Evidence], depth: int = 10) -> Signals:
    """The `Signals` of a retrieved list (the deeper the list, the better the agreement estimate)."""
    by_dense = sorted(hits, key=lambda h: -h.dense)[:depth]
    by_lexical = sorted((h for h in hits if h.lexical > 0), key=lambda h: -h.lexical)[:depth]
    dense = [h.dense for h in by_dense] or [0.0]
    arts_d = {h.passage.article_id for h in by_dense}
    arts_l = {h.passage.article_id for h in by_lexical}
    union = arts_d | arts_l
    same = bool(by_dense and by_lexical
                and by_dense[0].passage.article_id == by_lexical[0].passage.article_id)
    ranked = sorted(evidence, key=lambda e: -e.score)
    scores = [e.score for e in ranked[:depth]] or [0.0]
    return Signals(
        dense_top=dense[0], dense_gap=dense[0] - dense[-1],
        agreement=len(arts_d & arts_l) / len(union) if union else 0.0, same_top=float(same),
        evidence_top=scores[0], evidence_margin=scores[0] - sum(scores) / len(scores),
        best_predicate=ranked[0].predicate if ranked else 0.0,
        best_span=ranked[0].span_score if ranked else 0.0,
        best_title=ranked[0].hit.title_dense if ranked else 0.0,
        best_recency=ranked[0].recency if ranked else 0.0,
        entities=max((e.entities for e in evidence), default=0.0),
        predicate=max((e.predicate for e in evidence), default=0.0))


def _overview(question: str, hits: Sequence[Hit], options: AnswerOptions) -> Grounded:
    """"What happened?" about a story: the ledes of its latest reports, each citing its lead passage
    (`summarizer.overview`); without a story there is nothing to summarise, and the reply says so."""
    leads = story_leads(hits, options.max_citations, options.repeat)
    if not leads:
        return Grounded(question, "other", False, NO_STORY, (), ())
    ledes = tuple(lede(h) for h in leads)
    citations = tuple(citation(h.passage, sentence, options.snippet_window)
                      for h, sentence in zip(leads, ledes, strict=True))
    return Grounded(question, "other", True, ledes[0], ledes, citations, confidence=1.0)


def _attributed(text: str, asked: Question, ranked: Sequence[Evidence], options: AnswerOptions,
                person: str | None, title: str | None) -> tuple[Attributed | None, tuple[str, ...]]:
    """The answer decided by what the coverage attributes, whatever the overall confidence: "what did
    X say" (X's words), "who is X" (X's title), "who is the Taliban spokesman" (who holds the title),
    "what is the TTP" (the spelled-out name); and the names the coverage must mention for any answer.
    Coverage that never names X (a capitalised name, an acronym), or a capitalised word of the asked
    title or speaker ("What did the US defence minister say?": not Pakistan's, whose title has fewer
    words), cannot say. An acronym is spelled out once in an article, wherever the passage stands in
    the ranking: every considered passage is read. `person`, `title`: what a "who is X" question asks
    about (`asked_person`, `asked_title`)."""
    qtype = asked.qtype
    speaker = question_speaker(text) if qtype == "quote" else None
    acronym = asked_acronym(text) if qtype == "other" else None
    attributed = ((quote_answer(asked, speaker, ranked, options.max_citations)
                   or reported_answer(speaker, ranked, options.max_citations)) if speaker
                  else description_answer(person, ranked) if person
                  else holder_answer(title, ranked) if title
                  else description_answer(acronym, ranked, expand, len(ranked)) if acronym else None)
    named = speaker if speaker and speaker[:1].isupper() else person or acronym
    asked_words = re.findall(r"\b[A-Z][\w.’'-]*", speaker or title or "")
    return attributed, (*((named,) if named else asked_of(text)), *asked_words)


def build_answer(question: str, hits: Sequence[Hit], options: AnswerOptions | None = None) -> Grounded:
    """The structured grounded answer (or refusal) for `question` from its retrieved `hits`."""
    options = options or AnswerOptions()
    if asks_overview(question):
        return _overview(question, hits, options)
    # read as if typed with its capitals ("who is tahir andrabi"); answered as asked
    text = truecase(expand_contractions(question), (h.passage.window for h in hits[: options.consider]))
    asked = Question.parse(text)
    qtype = asked.qtype
    latest = newest(hits)
    evidence = [assess(asked, h, latest, options.evidence, options.evidence_bias)
                for h in hits[: options.consider]]
    # rank by evidence; a story hit keeps the lead unless an outside hit is clearly better, and so does
    # a hit naming the day asked about ("What happened on October 29?")
    ranked = sorted(evidence, key=lambda e: -(e.score + (options.story_margin if e.hit.in_story else 0)
                                              + (options.date_margin if asked.dated(e) else 0)))
    sig = signals(hits, evidence)
    confidence = sig.confidence(options) if ranked else 0.0
    person = asked_person(text) if qtype == "who" else None
    title = asked_title(text) if qtype == "who" and person is None else None
    attributed, anchors = _attributed(text, asked, ranked, options, person, title)
    if title is not None and attributed is None:  # no one is titled so: a name before the title is its owner
        ranked = [holders_only(ev, title) for ev in ranked]
    elif person is not None and attributed is None:
        # "Who is Fitna al-Hindustan?" with no title or apposition for it: what the coverage says of it,
        # not another name ("Khawarij")
        ranked = [replace(ev, spans=()) for ev in ranked]
    unnamed = any(not any(named_in(ev, name) for ev in ranked) for name in anchors)
    if not ranked or unnamed or (attributed is None and confidence < options.threshold):
        return Grounded(question, qtype, False, REFUSAL, (), (), tuple(ranked), confidence=confidence)
    if attributed is not None:
        short, support, disagreement = attributed.short, list(attributed.support), False
        known, pool, floor = attributed.sentences, attributed.more_from, attributed.support[0].score
    else:
        short, support, disagreement = typed_answer(ranked, asked, options)
        # further citations show where the answer comes from: passages that state it first
        pool = tuple(ranked if disagreement else sorted(ranked, key=lambda ev: not states(ev, short)))
        known, floor = (), ranked[0].score
    support += more_support(support, pool, options, floor)
    citations = tuple(citation(ev.hit.passage, ev.sentence, options.snippet_window) for ev in support)
    # a cited passage's supporting sentence is the one holding the answer span (or quotation)
    key = span_key(short)
    sentences = (*known, *(next((sp.sentence for sp in ev.spans if span_key(sp.text) == key), ev.sentence)
                           for ev in support[len(known):]))
    return Grounded(question, qtype, True, short, sentences, citations, tuple(ranked), disagreement,
                    confidence, attributed is not None and attributed.quoted,
                    attributed is not None and not attributed.quoted)


def answer_question(question: str, hits: Sequence[Hit], options: AnswerOptions | None = None) -> Answer:
    """A grounded `Answer`: short span, supporting sentences with numbered citations, or a refusal."""
    return build_answer(question, hits, options).to_answer()


