"""Capitalised names in a sentence as /ask answer candidates (`summarizer.spans`): which capitalised
words name someone or somewhere (not a sentence's opening word or participle, a date, a nationality
before its noun, a body that goes by its initials), and a coordination of names read as one answer
("mediated by Turkiye and Qatar").
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from itertools import pairwise

from summarizer.places import is_country_or_state
from summarizer.quotes import CUE_WORDS
from summarizer.retrieval import STOPWORDS, tokenize
from summarizer.spellings import DATE, MONTH_WORD, WEEKDAY

# a capitalised word, and words of a name linked by small words ("Bank of England", "Ludwig van Beethoven")
_CAP = r"[A-Z][\w'’.&-]*"
_LINK = r"(?:\s+(?:of|the|de|da|del|van|von|bin|al|la|le)){0,2}"
_NAME = re.compile(rf"{_CAP}(?:{_LINK}\s+{_CAP})*")
# capitalised words that open sentences and name no one
_WEAK_TEXT = ("The A An In On At But And For As After Before When While This That It He She They We I His "
              "Her Their Its If However Meanwhile Also According By From With Mr Mrs Ms Dr Some Many More "
              "Most Other Both Each Every All Any Neither Either Such These Those Several Few")
_WEAK_START = frozenset(_WEAK_TEXT.split())
# a participle opening a sentence ("Speaking to reporters, ...", "Following six days of talks, ...")
_PARTICIPLE = re.compile(r"[A-Z][a-z]+ing\s+(?:to|the|a|an|with|about|his|her|their|its|this|that|after|\d+|"
                         r"one|two|three|four|five|six|seven|eight|nine|ten)\b")
# a nationality, or a hyphenated pair of names ("Pak-Afghan dialogue", "US-China talks")
# ("Japanese-headquartered automakers" too)
_DEMONYM = re.compile(r"(?:(?:South|North|East|West|Puerto|Costa|Latin)\s+)?"
                      r"(?:[A-Z]\w+(?:ish|ese|i|ian)|Afghan|Dutch|French|Greek|Swiss|Thai|Czech|Slovak|Welsh|"
                      r"Arab|Filipino|Argentine|Uzbek|Kazakh|Tajik|Turkmen|Kyrgyz|Serb|Croat|Cypriot|American|"
                      r"Mexican|African|Korean|European|Chilean|Caribbean|Kenyan|Libyan|Cuban|Moroccan|Dominican|"
                      r"Rican|Venezuelan|Jamaican|German|Tibetan|Ugandan|Rwandan)(?:-[a-z]+)?|"
                      r"[A-Z][\w.]*(?:-[A-Z][\w.]*)+")
_INITIALS = re.compile(r"[A-Z]{2,}")
_SHORT_NAME = re.compile(r"\s*\(([A-Z][\w.&-]*)\)")  # a name's short form after it: "(TTP)"


def short_name(after: str) -> str | None:
    """The short form a name is given right after it ("Tehreek-e-Taliban Pakistan (TTP)": "TTP")."""
    m = _SHORT_NAME.match(after)
    return m.group(1) if m else None


def initialled(text: str, after: str) -> bool:
    """`text` goes by its initials ("TTP", "Tehreek-e-Taliban Pakistan (TTP)"), as organisations do
    and places do not, countries and US states aside ("US", "the United Arab Emirates (UAE)")."""
    initials = _INITIALS.fullmatch(text) or _INITIALS.fullmatch(short_name(after) or "")
    return bool(initials) and not is_country_or_state(text)


def adjective(text: str, after: str) -> bool:
    """A nationality adjective or a pair of names before its noun ("Turkish mediation", "Qatari
    officials", "Pak-Afghan dialogue"), which names no one and nowhere; a name before a verb or a
    function word ("Brian said", "Julian and ...") is kept."""
    words = [w for w in _LIST.split(text) if w]
    nxt = after.split(maxsplit=1)[0].strip(".,;:") if after.strip() else ""
    return (bool(words) and all(_DEMONYM.fullmatch(w) for w in words) and nxt[:1].islower()
            and nxt not in CUE_WORDS and nxt not in STOPWORDS)


_AND = re.compile(r",?\s+(?:and|or|&)\s+")
_COMMA = re.compile(r",\s+")
_LIST = re.compile(f"{_AND.pattern}|{_COMMA.pattern}")


def members(names: str) -> list[str]:
    """The names of a coordination ("Turkiye and Qatar", "China, Russia and Iran"), or the one name:
    a comma alone joins a place to its region ("Boulder, Colorado"), not two answers."""
    if not _AND.search(names):
        return [names]
    return [p for p in _LIST.split(names.strip()) if p] or [names]


# a small number after a name, not a score, a share, a count or a date's day ("3-1", "2 percent", "2 days")
_NUMBERED = re.compile(r" \d{1,2}\b(?![-–.,:/%]?\d)"
                       r"(?! (?:percent|per|million|billion|people|years?|days?|points?)\b)")


_WEEKDAY_WORD = re.compile(rf"\b{WEEKDAY}\b")


def names(sentence: str, q_tokens: AbstractSet[str], months: bool = False, focus: str | None = None
          ) -> list[tuple[int, str]]:
    """Capitalised name spans (a leading sentence word like "The" dropped), with a coordination of
    names not in the question joined into one answer: "mediated by Turkiye and Qatar", "goals from
    Saka, Odegaard and Rice". A list of commas alone is not joined (it is often an apposition). A
    month alone is a name only when `months` ("in which month"). The question's own words lead no name
    but the asked-for `focus` ("which typhoon": "Typhoon Doksuri")."""
    items: list[tuple[int, int]] = []
    for m in _NAME.finditer(sentence):
        text = re.sub(r"['’]s$", "", m.group().rstrip(".,")).rstrip("'’")  # "Pakistan’s" -> "Pakistan"
        words = text.split()
        start = m.start()
        while words and (words[0] in _WEAK_START or words[0].islower()):  # "In the United States"
            rest = text[len(words[0]):].lstrip()
            start += len(text) - len(rest)
            text, words = rest, words[1:]
        # the question's own title words lead no answer: "Defence Minister Khawaja Asif" -> "Khawaja Asif"
        while (parts := text.split(maxsplit=1))[1:] and parts[1][:1].isupper() \
                and (toks := tokenize(parts[0])) and set(toks) <= q_tokens \
                and toks != [focus]:  # "which typhoon": "Typhoon Doksuri" is named so
            start += len(text) - len(parts[1])
            text = parts[1]
        if start == 0 and _PARTICIPLE.match(sentence):
            continue  # "Speaking to reporters, Asif said": a participle opens the sentence
        if not text or text in _WEAK_START or DATE.fullmatch(text) or _WEEKDAY_WORD.search(text) \
                or (not months and MONTH_WORD.fullmatch(text)):
            continue  # "take place on November 6", "midnight PDT Thursday": a date is no name or place
        end = start + len(text)
        if (numbered := _NUMBERED.match(sentence, end)) is not None:
            end = numbered.end()  # "Queen Mary 2", "Apollo 11": the number is part of the name
        items.append((start, end))
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
