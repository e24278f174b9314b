"""Typed answer spans for /ask: where in the evidence the asked thing is.

Pure text rules for news English: the question's type (`summarizer.questions`) decides what span to
look for (dates, numbers, capitalised names, places, quoted titles; names are read in
`summarizer.span_names`); candidates are scored by closeness to the question's words in the evidence
sentence, and by who did the asked thing (`summarizer.span_roles`). Two spans are compared for the
same slot here and for the same answer in `summarizer.spellings` (a date or count in any spelling).
Quote questions ("what did X say") are answered in `summarizer.attributed`.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from summarizer.places import PLACE_CHECKS, PLACE_EXCLUDES, is_country_or_state
from summarizer.questions import DURATION, WORKS, QType, Tense, mentions, root
from summarizer.quotes import CUE_WORDS
from summarizer.retrieval import token_set, tokenize
from summarizer.span_names import adjective, initialled, members, names, short_name
from summarizer.span_roles import after_participle, agent_of, not_a_person, owning_place
from summarizer.spellings import DATE, MONTH_WORD, YEAR, full_date


class Span(NamedTuple):
    """A candidate short answer: its text, kind, a proximity score and the sentence it came from."""

    text: str
    kind: str
    score: float
    sentence: str


_NUMWORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
            r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
            r"hundred|a dozen|dozens|hundreds|thousands)")
_NUMBER = re.compile(
    rf"(?:[$£€]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand))?"
    rf"|\b{_NUMWORD}(?:[- ]{_NUMWORD})*(?:\s(?:million|billion|thousand))?\b", re.IGNORECASE)
_TIME_UNITS = frozenset({"second", "minute", "hour", "day", "night", "week", "weekend", "month", "year",
                         "decade", "century"})
_SOME_TIME = re.compile(r"\b(?:an?|a few|a couple of|several|many)\s+(?:second|minute|hour|day|night|week|"
                        r"month|year|decade)s?\b|\bcenturies\b", re.IGNORECASE)
# "a few days later", "six years ago": a point in time counted from another, not how long something lasted
_OFFSET = re.compile(r"(?:\s+\w+)?\s+(?:later|earlier|ago|before|after|afterwards|since)\b", re.IGNORECASE)
# a work is named in quotation marks ("“Everything Everywhere All at Once” won seven Oscars"), in title
# case (a quotation of speech is not: "“We are so proud,” she said"); American style puts a comma or a
# full stop inside the closing mark
_TITLE = re.compile(r"[“\"]([A-Z0-9][^“”\"]{0,60}?)[,.!?]?[”\"]")
_TITLE_SMALL = frozenset({"a", "an", "the", "and", "or", "nor", "but", "of", "at", "in", "on", "for", "to",
                          "by", "with", "from", "as", "is", "vs"})
# "in Istanbul", and a journey's end: "the delegation has left for Istanbul"
_PLACE_CUE = re.compile(r"\b(?:in|at|from|near|to|into|across|outside|inside|(?:left|leaves?|leaving|"
                        r"departed|departs?|departing|headed|heading|heads|bound|flew|flying)\s+for)\s+$",
                        re.IGNORECASE)
# what a "which" question may ask for that is never a country or US state: companies and what they make
_NOT_REGIONS = frozenset({
    "company", "chain", "platform", "airline", "brand", "restaurant", "retailer", "firm",
    "carmaker", "automaker", "app", "service", "network", "broadcaster", "bank", "supermarket", "store",
    "maker", "manufacturer", "startup", "streamer", "product", "ride", "character", "food", "drink",
    "sport", "game", "newspaper", "magazine", "website", "band", "party", "currency", "language", "group",
    "organization", "organisation", "militia", "agency"})
_RELATIVE_DATE = re.compile(r"\b(?:(?:earlier|later)\s+this|last|this|next)\s+(?:week|month|year|weekend)\b"
                            r"|\byesterday\b|\btomorrow\b", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+$")
# a sentence's subject: opening it, a verb after it
_OPENING = re.compile(r"(?:The\s+)?")
_VERB_AFTER = re.compile(r"\s+(?:is|are|was|were|has|have|had|will|\w+ed|\w+s)\b")
_FUTURE_Q = frozenset({"next", "upcoming", "future", "coming", "scheduled"})
_FUTURE = re.compile(r"\b(?:will|shall|scheduled|expected|due|upcoming|next|set to|to be held|is to|"
                     r"are to)\b", re.IGNORECASE)


def candidates(sentence: str, qtype: QType, q_tokens: AbstractSet[str], focus: str | None = None,
               owner: bool = False, tense: Tense | None = None, predicate: AbstractSet[str] = frozenset(),
               action: str | None = None, passive: bool = False) -> list[Span]:
    """Typed candidate spans of `sentence` not already in the question, scored by closeness to it:
    to the question's `predicate` words (their roots) when the sentence has one, since the answer sits
    by what is asked about ("*mediated* by Qatar") while the names may stand anywhere in the sentence,
    otherwise to any of its words; a number followed by the counted noun ("14 people" for "how many
    people") scores higher. `owner`, `tense`, `action`, `passive`: the question `asks_owner`,
    `asked_tense`, its `asked_action`, `asks_passive`."""
    if qtype == "when" and focus == "month":  # "in which month": the month of any date ("June 27": June)
        found = [(m.start(), m.group().rstrip("."), "date") for m in MONTH_WORD.finditer(sentence)]
    elif qtype == "when":
        # a day of a month or a year, or a time told relative to the report ("earlier this month"):
        # what the coverage says when it gives no date
        found = [(m.start(), m.group(), "date") for pattern in (DATE, _RELATIVE_DATE)
                 for m in pattern.finditer(sentence)]
    elif qtype == "how_many":
        # a year or a day of a month ("on October 25") is not a count
        dates = [m.span() for m in DATE.finditer(sentence)]
        found = [(m.start(), m.group().strip(), "number") for m in _NUMBER.finditer(sentence)
                 if not any(a <= m.start() < b for a, b in dates)]
        if focus == DURATION:
            found += [(m.start(), m.group(), "number") for m in _SOME_TIME.finditer(sentence)
                      if _OFFSET.match(sentence, m.end()) is None]
    else:
        found = [(start, text, "place" if _PLACE_CUE.search(sentence[max(0, start - 20):start]) else "name")
                 for start, text in names(sentence, q_tokens, months=focus == "month", focus=focus)]
        if focus in WORKS:  # "which film": a work is named by its quoted title, and nothing else is one
            found = [(m.start(1), m.group(1), "title") for m in _TITLE.finditer(sentence)
                     if _title_case(m.group(1))]
    q_roots = {root(t) for t in q_tokens}
    quoted = [m.span(1) for m in _TITLE.finditer(sentence)] if qtype == "who" else []
    words = [(m.start(), m.group()) for m in re.finditer(r"\w+", sentence)]
    positions = ([at for at, word in words if predicate and mentions(word, predicate)]
                 or [at for at, word in words if mentions(word, q_roots)])
    # the asked action ("who *accused* Kabul", "which countries *mediated*"; not "said": a speaker stands
    # anywhere around it) pins the answer down more than the question's other words
    doing = action if action is not None and action not in CUE_WORDS else None
    acted = doing is None or mentions(sentence, {doing})
    if doing is not None:
        positions = [at for at, word in words if mentions(word, {doing})] or positions
    maker = qtype == "which" and not _NOT_REGIONS.isdisjoint(q_tokens)  # a company or what it makes
    out: list[Span] = []
    for start, text, kind in found:
        toks = tokenize(text)
        if (not toks and kind != "date") or (toks and all(t in q_tokens for t in toks)):
            continue  # nothing but the question's words (a date may be a stopword: "May")
        if doing is not None and mentions(text.split()[0], {doing}):
            continue  # the asked verb opening the sentence ("Criticizing statements ..."), not a name
        owning = owning_place(text, focus)
        text = owning or text  # "which country won": "Sweden’s Loreen won", Sweden
        end = start + len(text)  # where the (possibly shortened) candidate ends
        rest = sentence[end:]
        initials = token_set(short_name(rest) or "")
        if initials and initials <= q_tokens:
            continue  # "Tehreek-e-Taliban Pakistan (TTP)" for a question about the TTP: its own name
        # a word across a clause break counts as 80 characters farther off: the other clause tells
        # of something else ("..., and that both sides would meet again on")
        dist = min((abs(start - p) + (80 if _across_clauses(sentence, start, p) else 0) for p in positions),
                   default=200)
        score = 1.0 / (1.0 + dist / 40.0)
        if kind == "title":
            score += 0.5  # "which film": named as a work is named
        if qtype == "where" and kind == "place":
            score += 0.5
        if qtype == "where" and initialled(text, rest):
            score -= 0.5  # "fighters from Tehreek-e-Taliban Pakistan (TTP)": a body, not a place
        if qtype == "where" and _BETWEEN.search(sentence, max(0, start - 10), start):
            score -= 1.0  # "the talks between Pakistan and Afghanistan will resume": the two ends, not where
        if qtype == "who":
            score += (0.3 if len(text.split()) >= 2 else 0.0) - (0.5 if kind == "place" else 0.0)
            if focus is not None and not_a_person(text):
                score -= 0.6  # "which musician": not the "Daily Mail" he sues, nor the "US" Navy
            if len(toks) > 1 and toks[-1] in q_tokens and len(members(text)) == 1:
                score -= 0.5  # "who criticized the chief minister": not "Khyber Pakhtunkhwa’s Chief Minister"
            if any(a <= start < b for a, b in quoted):
                score -= 0.5  # "who will host": not the film “Wicked” she starred in
        elif maker and all(map(is_country_or_state, members(text))):
            score -= 0.5  # "which streaming platform": not "the US and Canada" it raises prices in
        if kind == "date" and not full_date(text):
            score -= 0.3  # a bare weekday or year is relative or vague beside a day of a month
        if kind == "date" and _RELATIVE_DATE.fullmatch(text):
            score -= 0.2  # "earlier this year" is vaguer still: only when the coverage gives no date
        before = sentence[max(0, start - 40):start]
        if kind == "date" and (tense == "future" or q_tokens & _FUTURE_Q) and _FUTURE.search(before):
            score += 0.5  # "when are the *next* talks": a date scheduled in its own clause ("will resume on")
        elif kind == "date" and tense == "past" and _scheduled_at(sentence, start):
            score -= 0.5  # "when did the ceasefire start": not the day they "will meet again on"
        if kind == "date" and _reported_on(sentence[:start], rest, q_roots):
            score -= 0.5  # "Asif on Wednesday confirmed", "the ministry said late Thursday": when said
        if kind in ("name", "place") and adjective(text, rest):
            score -= 0.5  # "through Qatari and Turkish mediation": the mediators are Qatar and Turkiye
        if kind in ("name", "place") and (qtype != "where" or focus is not None) \
                and agent_of(before, q_roots, doing):
            # the agent of the asked action: "the mediation of Turkiye and Qatar" (not of another verb:
            # "the ceasefire agreed by Afghanistan and Pakistan" did not broker it); who agreed is not
            # where ("agreed by Afghanistan and Pakistan in Doha"), but "which country" may ask for it
            score += 0.5
        elif qtype == "who":
            said = rest.split(maxsplit=1)[:1]
            if said and said[0] in CUE_WORDS and root(said[0]) not in q_roots:
                score -= 0.3  # "..., Asif said": the sentence's source, not who did the asked thing
        if kind == "date" and any(0 < start - p <= 100 and _RELATIVE.match(sentence, p)
                                  and not _across_clauses(sentence, p, start) for p in positions):
            score += 0.3  # "the ceasefire which was agreed in Doha on October 18-19": the ceasefire's date
        if maker and _OPENING.fullmatch(sentence, 0, start) \
                and _VERB_AFTER.match(sentence, end):
            score += 0.3  # "which automaker": the sentence's subject, "Ford is recalling 112,000 F-150s"
        elif start == 0 and len([w for w in text.split() if not w.isdigit()]) == 1 \
                and not is_country_or_state(text):
            score -= 0.3  # a capitalised sentence opener is often an ordinary word (a country's name is not)
        # (a "whose" question asks for the owner itself)
        subject = _SUBJECT.match(sentence, end) if qtype == "who" and not owner else None
        if action is not None and (doer := _DOER.match(sentence, end)) is not None \
                and mentions(doer.group("verb"), {action}) \
                and ((doer.group("aux") or "").lower() in _BE) == passive:
            # "Pakistan has accused Kabul of harboring TTP militants": Pakistan, not the TTP; but "who
            # was accused": not Pakistan (the sentence's "Kabul was accused" would say)
            score += 0.5
        if doing is not None and start > 0 and start == after_participle(sentence, doing):
            score += 0.5  # "Criticizing statements made by the chief minister, Asif said": Asif criticized
        if subject is not None and mentions(subject.group("verb"), {action} if action else q_roots):
            text = sentence[start:subject.end("noun")]  # "who left for Istanbul": "Pakistan’s delegation"
            score += 0.5
        elif kind in ("name", "place") and not owner and owning is None \
                and _POSSESSIVE.match(sentence, end):
            score -= 0.5  # "Pakistan’s delegation has left": a modifier, not who did the asked thing
        if focus in PLACE_CHECKS and kind in ("name", "place"):
            # "which countries mediated": Qatar, not Istanbul; "which state": Texas, not Houston
            score += 0.6 if all(map(PLACE_CHECKS[focus], members(text))) else -0.6
        elif focus in PLACE_EXCLUDES and kind in ("name", "place") \
                and any(map(PLACE_EXCLUDES[focus], members(text))):
            score -= 0.6  # "which cities were attacked": not Pakistan
        if focus in _PERCENT_Q and kind == "number" and not _is_percent(text):
            score -= 1.0  # "what percentage": a bare count (or "nine percentage points", a change) is not
        elif focus and kind == "number" and _counted(text, rest, focus):
            score += 1.0
            text += _counted_noun(rest, focus, q_tokens)
        elif kind == "number" and focus != DURATION and "old" not in q_tokens and _COMPOUND.match(rest):
            score -= 0.5  # "a 40-year high", "the 37-year-old": a modifier, not the asked amount
        if not acted:
            score -= 0.3  # a sentence that does not tell of the asked action names bystanders
        out.append(Span(text, kind, score, sentence))
    return out


_REPORT_TIME = frozenset({"on", "late", "early", "last", "this"})


def _reported_on(before: str, after: str, q_roots: set[str]) -> bool:
    """A date next to a reporting verb dates the statement, not the event asked about."""
    prev = [w for w in re.findall(r"[a-z]+", before.lower())[-3:] if w not in _REPORT_TIME][-1:]
    nxt = [w.strip(".,;:") for w in after.split(maxsplit=1)[:1]]
    return any(w in CUE_WORDS and root(w) not in q_roots for w in prev + nxt)


def _title_case(text: str) -> bool:
    """Every word capitalised but the small ones ("All at Once"), as titles are and speech is not."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    return bool(words) and all(w[0].isupper() or w in _TITLE_SMALL for w in words)


_PERCENT_Q = frozenset({"percentage", "percent"})
_COMPOUND = re.compile(r"-[a-z]")
_POSSESSIVE = re.compile(r"['’]s\b")
# a name doing the asked thing: "Pakistan has accused", "Pakistan’s delegation has left"
_DOER = re.compile(r"\s+(?:(?P<aux>has|have|had|was|were|is|are|will|would)\s+)?(?:also\s+)?(?P<verb>[a-z]+)")
_BE = frozenset({"was", "were", "is", "are"})
_SUBJECT = re.compile(r"['’]s\s+(?P<noun>[a-z][\w-]*)\s+(?:(?:has|have|had|was|were|is|are)\s+)?"
                      r"(?P<verb>[a-z]+)")


def _is_percent(text: str) -> bool:
    """A share ("62%", "40 per cent"), not a count."""
    return "%" in text or re.search(r"\bper ?cent", text, re.IGNORECASE) is not None


def same_slot(best: str, other: str, qtype: QType, focus: str | None) -> bool:
    """`other` answers what `best` answers, so the two can contradict each other: when `best` counts the
    asked noun ("six days") so does `other`; dates are two days of a month or two bare years
    ("Thursday" and "October 30" may be the same day); a share and a count answer different questions."""
    if focus is not None and _counts(best, focus) and not _counts(other, focus):
        return False
    if focus == DURATION and (_SOME_TIME.fullmatch(best) or _SOME_TIME.fullmatch(other)):
        return False  # "several hours" does not contradict "14 hours"
    if qtype == "when":
        if full_date(best) or full_date(other):
            if not (full_date(best) and full_date(other)):
                return False
        elif not all(re.fullmatch(YEAR, x.strip()) for x in (best, other)):
            return False
    return _is_percent(best) == _is_percent(other)


# a relative clause dating the word before it ("ceasefire which was agreed"; the date follows within it)
_RELATIVE = re.compile(r"\w+\s+(?:which|that)\s+(?:(?:is|was|were|had|has|have|been)\s+)*\w+ed\b")


def _across_clauses(sentence: str, a: int, b: int) -> bool:
    """A clause break (", and", ";", "and that") stands between offsets `a` and `b`."""
    return _CLAUSE_BREAK.search(sentence, min(a, b), max(a, b)) is not None


_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|but|while|whereas|although)\b|\band that\b")
_CLAUSE_START = re.compile(r"[,;:()“”\"]")
_SCHEDULED = re.compile(rf"{_FUTURE.pattern}|\bwould\b", re.IGNORECASE)  # "said talks would take place"


def scheduled(span: Span) -> bool:
    """The span's clause speaks of the future ("the talks will resume on November 6", "... will be
    decided in a meeting on 6 November", "he said talks would take place on November 6"): such a date
    schedules an event, a date told in the past ("the talks started on October 25") records one, and
    the two never answer the same question."""
    at = span.sentence.find(span.text)
    return at >= 0 and _scheduled_at(span.sentence, at)


def _scheduled_at(sentence: str, at: int) -> bool:
    """The clause of `sentence` leading up to offset `at` speaks of the future."""
    return _SCHEDULED.search(_CLAUSE_START.split(sentence[:at])[-1]) is not None


def _counted(number: str, after: str, focus: str) -> bool:
    """`number`, followed by `after`, counts the asked noun: "14 people" for "how many people"; for
    `DURATION`, "six days" or "a few weeks", but not "a few days later" (an offset, not a length)."""
    following = tokenize(after[:30])[:3]
    if focus != DURATION:
        return focus in following
    unit = _counts(number, focus) or (bool(following) and following[0] in _TIME_UNITS)
    return unit and _OFFSET.match(after) is None


_EDGE_PUNCTUATION = ".,;:!?\"'“”‘’()[]"  # "250 million citizens,”": citizens


def _counted_noun(after: str, focus: str, q_tokens: AbstractSet[str]) -> str:
    """What a count's answer shows after the number: the question's own words that follow it up to the
    counted noun ("58 hot dogs" for "how many hot dogs", not "58 hot"), or else the noun that counts
    the asked unit ("six days"); joined as written ("a 20-year sentence": "20-year")."""
    words = after.split()[:4]
    phrase: list[str] = []
    for word in words:
        bare = word.strip(_EDGE_PUNCTUATION)
        toks = token_set(bare)
        if not toks or not toks <= q_tokens:
            break
        phrase.append(bare)
        if bare != word:  # punctuation closes the phrase
            break
    if not any(_counts(w, focus) for w in phrase):
        first = words[0].strip(_EDGE_PUNCTUATION) if words else ""
        phrase = [first] if first and _counts(first, focus) else []
    text = " ".join(phrase)
    return text if text.startswith("-") else f" {text}" if text else ""


def _counts(text: str, focus: str) -> bool:
    """`text` ends with the counted noun: "six days" counts `DURATION` (any unit of time) and "day"."""
    last = tokenize(text)[-1:]
    return last == [focus] or (focus == DURATION and bool(last) and last[0] in _TIME_UNITS)
