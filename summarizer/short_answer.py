"""The short answer of a typed /ask question (who / when / where / how many / which).

`summarizer.answers` decides whether and how to answer; this module picks the span: votes pooled over
the best passages and outlets, the answer written as the reports write it, both versions when outlets
give different numbers or dates for the same slot, and which passages state it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from summarizer.attributed import tally
from summarizer.evidence import Evidence, Question
from summarizer.passages import Passage
from summarizer.places import is_country_or_state
from summarizer.questions import THINGS, mentions
from summarizer.retrieval import naive
from summarizer.spans import Span, same_slot, scheduled
from summarizer.spellings import in_digits, span_key

if TYPE_CHECKING:  # the answerer imports this module
    from summarizer.answers import AnswerOptions


def _source_label(p: Passage) -> str:
    label = p.outlet or p.title or p.article_id
    if p.published is not None:
        label += f", {p.published:%-d %b %Y}"
    return label


def _disagreement(best: Evidence, others: Sequence[Evidence], asked: Question) -> Evidence | None:
    """Another outlet's differing number/date for the same slot (`same_slot`, both told in the past or
    both `scheduled`; its passage covers the question about as well as the best one does, and the
    sentence stating it speaks of the question at all: "the tensions began on October 11" is no other
    date of the Doha talks that the next sentence mentions; when the question has predicate words,
    both sentences mention them)."""
    qtype, focus = asked.qtype, asked.focus
    if qtype not in ("how_many", "when") or not best.spans:
        return None
    mine = span_key(best.spans[0].text)
    outlet = best.hit.passage.outlet or best.hit.passage.article_id
    for ev in others:
        p = ev.hit.passage
        if not ev.spans or (p.outlet or p.article_id) == outlet:
            continue
        if ev.coverage < 0.85 * best.coverage or ev.score < 0.5 * best.score \
                or not asked.covers(ev.spans[0].sentence):
            continue
        if asked.predicate and not all(mentions(x.spans[0].sentence, asked.predicate) for x in (best, ev)):
            continue  # a date of something else ("When did Pakistan launch airstrikes?": not the talks')
        if not same_slot(best.spans[0].text, ev.spans[0].text, qtype, focus) \
                or scheduled(best.spans[0]) != scheduled(ev.spans[0]):
            continue
        theirs = span_key(ev.spans[0].text)  # "6" is "6 day", but "4" is not "14"
        if theirs and f" {theirs} " not in f" {mine} " and f" {mine} " not in f" {theirs} ":
            return ev
    return None


def _differ(a: Evidence, b: Evidence) -> str:
    """Both versions with outlets and dates; when both reports are dated, the latest leads (an update
    supersedes an outdated figure or date) and the other is marked as the earlier report. Counts in
    digits, as a single answer gives them."""
    def version(ev: Evidence) -> str:
        return f"{in_digits(ev.spans[0].text)} ({_source_label(ev.hit.passage)}"

    pa, pb = (naive(x.hit.passage.published) for x in (a, b))
    if pa is not None and pb is not None and pa != pb:
        new, old = (a, b) if pa > pb else (b, a)
        return f"{version(new)}, latest); earlier report: {version(old)})"
    return f"Sources differ: {version(a)}); {version(b)})"


def typed_answer(ranked: Sequence[Evidence], asked: Question, options: AnswerOptions
                 ) -> tuple[str, list[Evidence], bool]:
    """The short answer of a typed question (who / when / where / how many / which), the passages
    stating it and whether outlets disagree: span votes pooled over the best passages (a span repeated
    across outlets is more reliable), both versions when another outlet gives a different number or
    date for the same slot. Without a span of the asked type, the best sentence."""
    best = ranked[0]
    if not best.spans or (asked.qtype == "which" and asked.focus in THINGS):
        # "which animal": the sentence telling it ("… killed 80% of red squirrels"), not a name beside it
        return best.sentence, [best], False
    voters = [ev for ev in ranked[:5] if ev.score >= options.vote_floor * best.score]
    if max(sp.score for ev in voters for sp in ev.spans) < options.weak_span:
        voters = list(ranked[:5])  # the best passages only name bystanders: the next ones may say it
    # a name or count is written as most of the voting mentions write it (the first, best-ranked, on a
    # tie); a date as the best passage writes it, which may be the range the others only start
    # ("between October 25 and 30", "October 25": one date in the votes)
    spellings = Counter((span_key(span.text), span.text) for ev in voters for span in ev.spans)
    text_of: dict[str, str] = {}
    # most_common keeps the first-seen order among equal counts
    for key, text in spellings if asked.qtype == "when" else (kt for kt, _ in spellings.most_common()):
        text_of.setdefault(key, text)
    fuller = _fuller(spellings) if asked.qtype == "who" else {}
    votes = tally((ev.hit.passage.article_id, fuller.get(key := span_key(span.text), key),
                   ev.score * span.score / (1 + rank))
                  for ev in voters for rank, span in enumerate(ev.spans))
    short = text_of[max(votes, key=lambda k: votes[k])] if votes else best.spans[0].text
    if asked.qtype == "who":
        short = _fullest(short, ranked)
    if asked.qtype == "how_many":
        short = in_digits(short)  # "four astronauts": "4 astronauts", as a chat answer is scanned
    # the first citation states the answer (the votes may come from passages other than the best)
    stated = next((ev for ev in voters if _has_span(ev, short)), best)
    support = [stated, best] if stated is not best else [best]
    other = _disagreement(best, ranked[1:], asked)
    if other is None:
        return short, support, False
    return _differ(best, other), [*support, other], True


def _fuller(spellings: Counter[tuple[str, str]]) -> dict[str, str]:
    """Each name written in a shorter form ("Asif") mapped to a fuller form of `spellings` that ends with
    it ("Khawaja Asif", "Defence Minister Khawaja Asif": the most often written, then the fullest,
    followed to its own fuller form), so that one person's votes are not split by how fully each
    report names them. Not a country or state, which ends many other names ("Tehreek-e-Taliban
    Pakistan"), and never into a coordination, which names others too ("Islamabad and Kabul")."""
    mentioned = Counter[str]()
    for (key, _), n in spellings.items():
        mentioned[key] += n
    out: dict[str, str] = {}
    for key, text in spellings:
        longer = [k for k in mentioned if k.endswith(" " + key) and " and " not in k]
        if longer and not is_country_or_state(text):
            out[key] = max(longer, key=lambda k: (mentioned[k], len(k)))
    for key, full in out.items():
        while full in out:  # each step is longer: the chain ends
            full = out[full]
        out[key] = full
    return out


def _fullest(name: str, ranked: Sequence[Evidence]) -> str:
    """`name` as fully as the considered passages write it ("Stewart": "Martha Stewart"); the passages
    that vote may name a person by surname only."""
    named = Counter((span_key(span.text), span.text) for ev in ranked for span in ev.spans)
    full = _fuller(named).get(span_key(name))
    return name if full is None else next(text for (key, text), _ in named.most_common() if key == full)


def holders_only(ev: Evidence, title: str) -> Evidence:
    """The passage's spans without those that own or modify the asked title: "Khyber Pakhtunkhwa’s
    Chief Minister" and "the KP chief minister" do not say who the chief minister is."""
    owner = re.compile(rf"(?:['’]s)?\s+{re.escape(title)}\b", re.IGNORECASE)

    def owns(sp: Span) -> bool:
        at = sp.sentence.find(sp.text)
        return at >= 0 and owner.match(sp.sentence, at + len(sp.text)) is not None

    return replace(ev, spans=tuple(sp for sp in ev.spans if not owns(sp)))


def _has_span(ev: Evidence, short: str) -> bool:
    """One of the passage's spans is the short answer in any spelling ("6 November 2025" for
    "November 06")."""
    key = span_key(short)
    return any(span_key(sp.text) == key for sp in ev.spans)


def states(ev: Evidence, short: str) -> bool:
    """The passage states the short answer: as one of its spans, or in so many words."""
    return _has_span(ev, short) or short.lower() in ev.hit.passage.window.lower()
