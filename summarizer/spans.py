"""Typed answer spans for /ask: where in the evidence the asked thing is.

Pure text rules for news English: the question's type (`summarizer.questions`) decides what span to
look for (dates, numbers, capitalised names, places, quoted titles); candidates are scored by closeness
to the question's words in the evidence sentence. Two spans are compared for the same slot here and for
the same answer in `summarizer.spellings` (a date or count in any spelling). Quote questions ("what did
X say") are answered in `summarizer.attributed`.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from itertools import pairwise
from typing import NamedTuple

from summarizer.places import PLACE_CHECKS, PLACE_EXCLUDES, is_country_or_state
from summarizer.questions import DURATION, QType, Tense, mentions, root
from summarizer.quotes import CUE_WORDS
from summarizer.retrieval import STOPWORDS, token_set, tokenize
from summarizer.spellings import AND_DAY, MONTH, TO_DAY, full_date


class Span(NamedTuple):
    """A candidate short answer: its text, kind, a proximity score and the sentence it came from."""

    text: str
    kind: str
    score: float
    sentence: str


_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:1[89]|20)\d{2}"
_DATE = re.compile(
    rf"\bbetween\s+(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?{AND_DAY}|\d{{1,2}}(?:st|nd|rd|th)?{AND_DAY}\s+(?:of\s+)?"
    rf"{MONTH})(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:{_DAY},?\s+)?{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:{TO_DAY})?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?:{TO_DAY})?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?\b"
    rf"|\b{MONTH}\s+(?:of\s+)?\d{{4}}\b|\b{_DAY}\b|\b{_YEAR}s?\b")
_MONTH_ALONE = re.compile(MONTH)
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
_WORKS = frozenset({"movie", "film", "show", "series", "song", "album", "book", "novel", "play", "musical",
                    "podcast", "documentary", "sitcom", "drama", "painting", "game", "title"})
_TITLE = re.compile(r"[“\"]([A-Z0-9][^“”\"]{0,60}?)[,.!?]?[”\"]")
_TITLE_SMALL = frozenset({"a", "an", "the", "and", "or", "nor", "but", "of", "at", "in", "on", "for", "to",
                          "by", "with", "from", "as", "is", "vs"})
_CAP = r"[A-Z][\w'’.&-]*"
_LINK = r"(?:\s+(?:of|the|de|da|del|van|von|bin|al|la|le)){0,2}"
_NAME = re.compile(rf"{_CAP}(?:{_LINK}\s+{_CAP})*")
# "in Istanbul", and a journey's end: "the delegation has left for Istanbul"
_PLACE_CUE = re.compile(r"\b(?:in|at|from|near|to|into|across|outside|inside|(?:left|leaves?|leaving|"
                        r"departed|departs?|departing|headed|heading|heads|bound|flew|flying)\s+for)\s+$",
                        re.IGNORECASE)
_WEAK_TEXT = ("The A An In On At But And For As After Before When While This That It He She They We I His "
              "Her Their Its If However Meanwhile Also According By From With Mr Mrs Ms Dr Some Many More "
              "Most Other Both Each Every All Any Neither Either Such These Those Several Few")
_WEAK_START = frozenset(_WEAK_TEXT.split())
# what a "which" question may ask for that is never a country or US state: companies and what they make
_NOT_REGIONS = frozenset({
    "company", "chain", "platform", "airline", "brand", "restaurant", "retailer", "firm",
    "carmaker", "automaker", "app", "service", "network", "broadcaster", "bank", "supermarket", "store",
    "maker", "manufacturer", "startup", "streamer", "product", "ride", "character", "food", "drink",
    "sport", "game", "newspaper", "magazine", "website", "band", "party", "currency", "language"})
# a participle opening a sentence ("Speaking to reporters, ...", "Following six days of talks, ...")
_PARTICIPLE = re.compile(r"[A-Z][a-z]+ing\s+(?:to|the|a|an|with|about|his|her|their|its|this|that|after|\d+|"
                         r"one|two|three|four|five|six|seven|eight|nine|ten)\b")
_BETWEEN = re.compile(r"\bbetween\s+$")
_FUTURE_Q = frozenset({"next", "upcoming", "future", "coming", "scheduled"})
_FUTURE = re.compile(r"\b(?:will|shall|scheduled|expected|due|upcoming|next|set to|to be held|is to|"
                     r"are to)\b", re.IGNORECASE)


def candidates(sentence: str, qtype: QType, q_tokens: AbstractSet[str], focus: str | None = None,
               owner: bool = False, tense: Tense | None = None, predicate: AbstractSet[str] = frozenset(),
               action: str | None = None) -> list[Span]:
    """Typed candidate spans of `sentence` not already in the question, scored by closeness to it:
    to the question's `predicate` words (their roots) when the sentence has one, since the answer sits
    by what is asked about ("*mediated* by Qatar") while the names may stand anywhere in the sentence,
    otherwise to any of its words; a number followed by the counted noun ("14 people" for "how many
    people") scores higher. `owner`, `tense`, `action`: the question `asks_owner`, `asked_tense`, its
    `asked_action`."""
    if qtype == "when":
        found = [(m.start(), m.group(), "date") for m in _DATE.finditer(sentence)]
    elif qtype == "how_many":
        # a year or a day of a month ("on October 25") is not a count
        dates = [m.span() for m in _DATE.finditer(sentence)]
        found = [(m.start(), m.group().strip(), "number") for m in _NUMBER.finditer(sentence)
                 if not any(a <= m.start() < b for a, b in dates)]
        if focus == DURATION:
            found += [(m.start(), m.group(), "number") for m in _SOME_TIME.finditer(sentence)
                      if _OFFSET.match(sentence, m.end()) is None]
    else:
        found = [(start, text, "place" if _PLACE_CUE.search(sentence[max(0, start - 20):start]) else "name")
                 for start, text in _names(sentence, q_tokens, months=focus == "month")]
        if focus in _WORKS:  # a quoted title replaces the capitalised words inside it
            titles = [(m.start(1), m.group(1), "title") for m in _TITLE.finditer(sentence)
                      if _title_case(m.group(1))]
            found = [f for f in found if not any(a <= f[0] < a + len(t) for a, t, _ in titles)] + titles
    q_roots = {root(t) for t in q_tokens}
    quoted = [m.span(1) for m in _TITLE.finditer(sentence)] if qtype == "who" else []
    words = [(m.start(), m.group()) for m in re.finditer(r"\w+", sentence)]
    positions = ([at for at, word in words if predicate and mentions(word, predicate)]
                 or [at for at, word in words if mentions(word, q_roots)])
    out: list[Span] = []
    for start, text, kind in found:
        toks = tokenize(text)
        if not toks or all(t in q_tokens for t in toks):
            continue
        # a word across a clause break counts as 80 characters farther off: the other clause tells
        # of something else ("..., and that both sides would meet again on")
        dist = min((abs(start - p) + (80 if _across_clauses(sentence, start, p) else 0) for p in positions),
                   default=200)
        score = 1.0 / (1.0 + dist / 40.0)
        if kind == "title":
            score += 0.5  # "which film": named as a work is named
        if qtype == "where" and kind == "place":
            score += 0.5
        if qtype == "where" and _initialled(text, sentence[start + len(text):]):
            score -= 0.5  # "fighters from Tehreek-e-Taliban Pakistan (TTP)": a body, not a place
        if qtype == "where" and _BETWEEN.search(sentence, max(0, start - 10), start):
            score -= 1.0  # "the talks between Pakistan and Afghanistan will resume": the two ends, not where
        if qtype == "who":
            score += (0.3 if len(text.split()) >= 2 else 0.0) - (0.5 if kind == "place" else 0.0)
            if any(a <= start < b for a, b in quoted):
                score -= 0.5  # "who will host": not the film “Wicked” she starred in
        elif qtype == "which" and not _NOT_REGIONS.isdisjoint(q_tokens) \
                and all(map(is_country_or_state, _members(text))):
            score -= 0.5  # "which streaming platform": not "the US and Canada" it raises prices in
        if kind == "date" and not full_date(text):
            score -= 0.3  # a bare weekday or year is relative or vague beside a day of a month
        before = sentence[max(0, start - 40):start]
        if kind == "date" and (tense == "future" or q_tokens & _FUTURE_Q) and _FUTURE.search(before):
            score += 0.5  # "when are the *next* talks": a date scheduled in its own clause ("will resume on")
        elif kind == "date" and tense == "past" and _scheduled_at(sentence, start):
            score -= 0.5  # "when did the ceasefire start": not the day they "will meet again on"
        if kind == "date" and _reported_on(sentence[:start], sentence[start + len(text):], q_roots):
            score -= 0.5  # "Asif on Wednesday confirmed", "the ministry said late Thursday": when said
        if kind == "name" and _adjective(text, sentence[start + len(text):]):
            score -= 0.5  # "through Qatari and Turkish mediation": the mediators are Qatar and Turkiye
        if kind in ("name", "place") and (qtype != "where" or focus is not None) and _AGENT.search(before) \
                and mentions(before, q_roots):
            # the agent of the asked action: "the mediation of Turkiye and Qatar"; who agreed is not
            # where ("agreed by Afghanistan and Pakistan in Doha"), but "which country" may ask for it
            score += 0.5
        elif qtype == "who":
            said = sentence[start + len(text):].split(maxsplit=1)[:1]
            if said and said[0] in CUE_WORDS and root(said[0]) not in q_roots:
                score -= 0.3  # "..., Asif said": the sentence's source, not who did the asked thing
        if kind == "date" and any(0 < start - p <= 100 and _RELATIVE.match(sentence, p)
                                  and not _across_clauses(sentence, p, start) for p in positions):
            score += 0.3  # "the ceasefire which was agreed in Doha on October 18-19": the ceasefire's date
        if start == 0 and len(text.split()) == 1 and not is_country_or_state(text):
            score -= 0.3  # a capitalised sentence opener is often an ordinary word (a country's name is not)
        # (a "whose" question asks for the owner itself)
        subject = _SUBJECT.match(sentence, start + len(text)) if qtype == "who" and not owner else None
        if subject is not None and mentions(subject.group("verb"), {action} if action else q_roots):
            text = sentence[start:subject.end("noun")]  # "who left for Istanbul": "Pakistan’s delegation"
            score += 0.5
        elif kind in ("name", "place") and not owner and _POSSESSIVE.match(sentence, start + len(text)):
            score -= 0.5  # "Pakistan’s delegation has left": a modifier, not who did the asked thing
        if focus in PLACE_CHECKS and kind in ("name", "place"):
            # "which countries mediated": Qatar, not Istanbul; "which state": Texas, not Houston
            score += 0.6 if all(map(PLACE_CHECKS[focus], _members(text))) else -0.6
        elif focus in PLACE_EXCLUDES and kind in ("name", "place") \
                and any(map(PLACE_EXCLUDES[focus], _members(text))):
            score -= 0.6  # "which cities were attacked": not Pakistan
        if focus in _PERCENT_Q and kind == "number" and not _is_percent(text):
            score -= 1.0  # "what percentage": a bare count (or "nine percentage points", a change) is not
        elif focus and kind == "number":
            after = sentence[start + len(text):]
            if _counted(text, after, focus):
                score += 1.0
                text += _counted_noun(after, focus, q_tokens)
        out.append(Span(text, kind, score, sentence))
    return out


_REPORT_TIME = frozenset({"on", "late", "early", "last", "this"})


def _reported_on(before: str, after: str, q_roots: set[str]) -> bool:
    """A date next to a reporting verb dates the statement, not the event asked about."""
    prev = [w for w in re.findall(r"[a-z]+", before.lower())[-3:] if w not in _REPORT_TIME][-1:]
    nxt = [w.strip(".,;:") for w in after.split(maxsplit=1)[:1]]
    return any(w in CUE_WORDS and root(w) not in q_roots for w in prev + nxt)


# a nationality, or a hyphenated pair of names ("Pak-Afghan dialogue", "US-China talks")
_DEMONYM = re.compile(r"[A-Z]\w+(?:ish|ese|i|ian)|Afghan|Dutch|French|Greek|Swiss|Thai|Czech|Slovak|Welsh|"
                      r"Arab|Filipino|Argentine|Uzbek|Kazakh|Tajik|Turkmen|Kyrgyz|Serb|Croat|Cypriot|"
                      r"[A-Z][\w.]*(?:-[A-Z][\w.]*)+")


_INITIALS = re.compile(r"[A-Z]{2,}")
_INITIALS_AFTER = re.compile(r"\s*\([A-Z]{2,}\)")


def _initialled(text: str, after: str) -> bool:
    """`text` goes by its initials ("TTP", "Tehreek-e-Taliban Pakistan (TTP)"), as organisations do
    and places do not, countries and US states aside ("US", "the United Arab Emirates (UAE)")."""
    return bool(_INITIALS.fullmatch(text) or _INITIALS_AFTER.match(after)) and not is_country_or_state(text)


def _adjective(text: str, after: str) -> bool:
    """A nationality adjective or a pair of names before its noun ("Turkish mediation", "Qatari
    officials", "Pak-Afghan dialogue"), which names no one and nowhere; a name before a verb or a
    function word ("Brian said", "Julian and ...") is kept."""
    words = [w for w in re.split(r",?\s+", text) if w not in ("and", "or", "&")]
    nxt = after.split(maxsplit=1)[0].strip(".,;:") if after.strip() else ""
    return (bool(words) and all(_DEMONYM.fullmatch(w) for w in words) and nxt[:1].islower()
            and nxt not in CUE_WORDS and nxt not in STOPWORDS)


_AGENT = re.compile(r"\b(?:by|of)\s+(?:the\s+)?$")
_AND = re.compile(r",?\s+(?:and|or|&)\s+")
_COMMA = re.compile(r",\s+")
_LIST = re.compile(f"{_AND.pattern}|{_COMMA.pattern}")


def _members(names: str) -> list[str]:
    """The names of a coordination ("Turkiye and Qatar", "China, Russia and Iran"), or the one name:
    a comma alone joins a place to its region ("Boulder, Colorado"), not two answers."""
    if not _AND.search(names):
        return [names]
    return [p for p in _LIST.split(names.strip()) if p] or [names]


def _names(sentence: str, q_tokens: AbstractSet[str], months: bool = False) -> list[tuple[int, str]]:
    """Capitalised name spans (a leading sentence word like "The" dropped), with a coordination of
    names not in the question joined into one answer: "mediated by Turkiye and Qatar", "goals from
    Saka, Odegaard and Rice". A list of commas alone is not joined (it is often an apposition). A
    month alone is a name only when `months` ("in which month")."""
    items: list[tuple[int, int]] = []
    for m in _NAME.finditer(sentence):
        text = re.sub(r"['’]s$", "", m.group().rstrip(".,")).rstrip("'’")  # "Pakistan’s" -> "Pakistan"
        words = text.split()
        start = m.start()
        if words and words[0] in _WEAK_START:
            rest = text[len(words[0]):].lstrip()
            start += len(text) - len(rest)
            text = rest
        # the question's own title words lead no answer: "Defence Minister Khawaja Asif" -> "Khawaja Asif"
        while (parts := text.split(maxsplit=1))[1:] and parts[1][:1].isupper() \
                and (toks := tokenize(parts[0])) and set(toks) <= q_tokens:
            start += len(text) - len(parts[1])
            text = parts[1]
        if start == 0 and _PARTICIPLE.match(sentence):
            continue  # "Speaking to reporters, Asif said": a participle opens the sentence
        if not text or text in _WEAK_START or _DATE.fullmatch(text) \
                or (not months and _MONTH_ALONE.fullmatch(text)):
            continue  # "take place on November 6": a month is no name or place
        items.append((start, start + len(text)))
    groups: list[list[tuple[int, int]]] = []
    for start, end in items:
        toks = tokenize(sentence[start:end])
        asked = bool(toks) and all(t in q_tokens for t in toks)
        prev = groups[-1] if groups else None
        gap = sentence[prev[-1][1]:start] if prev else ""
        if prev is not None and not asked and (_AND.fullmatch(gap) or _COMMA.fullmatch(gap)):
            prev.append((start, end))
        else:
            groups.append([(start, end)])
        if asked:
            groups.append([])  # a name of the question never joins a coordination
    out: list[tuple[int, str]] = []
    for group in filter(None, groups):
        gaps = [sentence[a[1]:b[0]] for a, b in pairwise(group)]
        joined = max((i + 1 for i, gap in enumerate(gaps) if _AND.fullmatch(gap)), default=0)
        if joined:  # up to the name after the last "and"; names after it stand alone
            out.append((group[0][0], sentence[group[0][0]:group[joined][1]]))
        alone = group[joined + 1 if joined else 0:]
        # a place and its region, "Boulder, Colorado": one answer, before (so ahead of) its parts
        out += [(a, sentence[a:d]) for (a, b), (c, d) in pairwise(alone)
                if sentence[b:c] == ", " and is_country_or_state(sentence[c:d])
                and not is_country_or_state(sentence[a:b])]
        out += [(a, sentence[a:b]) for a, b in alone]
    return out


def _title_case(text: str) -> bool:
    """Every word capitalised but the small ones ("All at Once"), as titles are and speech is not."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    return bool(words) and all(w[0].isupper() or w in _TITLE_SMALL for w in words)


_PERCENT_Q = frozenset({"percentage", "percent"})
_POSSESSIVE = re.compile(r"['’]s\b")
# a possessed noun doing the asked thing: "Pakistan’s delegation has left"
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
        elif not all(re.fullmatch(_YEAR, x.strip()) for x in (best, other)):
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


def _counted_noun(after: str, focus: str, q_tokens: AbstractSet[str]) -> str:
    """What a count's answer shows after the number: the question's own words that follow it up to the
    counted noun ("58 hot dogs" for "how many hot dogs", not "58 hot"), or else the noun that counts
    the asked unit ("six days"); joined as written ("a 20-year sentence": "20-year")."""
    words = after.split()[:4]
    phrase: list[str] = []
    for word in words:
        bare = word.strip(".,;:")
        toks = token_set(bare)
        if not toks or not toks <= q_tokens:
            break
        phrase.append(bare)
        if bare != word:  # punctuation closes the phrase
            break
    if not any(_counts(w, focus) for w in phrase):
        first = words[0].strip(".,;:") if words else ""
        phrase = [first] if first and _counts(first, focus) else []
    text = " ".join(phrase)
    return text if text.startswith("-") else f" {text}" if text else ""


def _counts(text: str, focus: str) -> bool:
    """`text` ends with the counted noun: "six days" counts `DURATION` (any unit of time) and "day"."""
    last = tokenize(text)[-1:]
    return last == [focus] or (focus == DURATION and bool(last) and last[0] in _TIME_UNITS)
