"""Dates and counts as news spells them, and one answer in any spelling, for /ask's spans, votes and
versions: "November 06", "6 November 2025" and "Nov. 6" are one date; "four astronauts" and "4
astronauts", "$12.6 million" and "$12,600,000" one count.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from summarizer.retrieval import stem

MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
TO_DAY = r"(?:\s*[-–]\s*|\s+to\s+)\d{1,2}(?:st|nd|rd|th)?"  # the end of a range of days ("October 25-30")
# "between October 25 and 30" (and November 2): a range, after "between" only ("October 25 and 30 people")
AND_DAY = rf"\s+and\s+(?:{MONTH}\s+)?\d{{1,2}}(?:st|nd|rd|th)?"
# a date as news writes it: a day of a month (or a range of days), a month of a year, a weekday, a year
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"  # "Friday morning"
YEAR = r"(?:1[89]|20)\d{2}"
DATE = re.compile(
    rf"\bbetween\s+(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?{AND_DAY}|\d{{1,2}}(?:st|nd|rd|th)?{AND_DAY}\s+(?:of\s+)?"
    rf"{MONTH})(?:,?\s+\d{{4}})?\b"
    rf"|\b(?:{WEEKDAY},?\s+)?{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:{TO_DAY})?(?:,?\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?:{TO_DAY})?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?\b"
    rf"|\b{MONTH}\s+(?:of\s+)?\d{{4}}\b|\b{WEEKDAY}{_PART_OF_DAY}\b|\b{YEAR}s?\b")
MONTH_WORD = re.compile(rf"\b{MONTH}(?!\w)")  # a month named as a word of its own
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:{TO_DAY}|{AND_DAY})?\s+(?:of\s+)?({MONTH})"
                        rf"|({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)


def full_dates(text: str) -> frozenset[str]:
    """The days of a month `text` names, as `span_key`s ("on October 29": "10-29")."""
    return frozenset(span_key(m.group()) for m in DATE.finditer(text) if full_date(m.group()))


def full_date(text: str) -> bool:
    """A day of a month ("November 6", "6 Nov 2025"), not a bare weekday or year."""
    return _DAY_MONTH.search(text) is not None


@lru_cache(maxsize=65536)
def span_key(text: str) -> str:
    """What two spans must share to be the same answer: a date's month and day ("November 06",
    "6 November 2025" and "Nov. 6" are one date), a count's value and noun ("four astronauts" and
    "4 astronauts", "$12.6 million" and "$12,600,000"), otherwise the lowercased words without accents,
    the names of a coordination in any order ("Qatar and Türkiye" is "Turkiye and Qatar")."""
    m = _DAY_MONTH.search(text)
    if m is not None:
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        return f"{_MONTHS.index(month[:3].lower()) + 1:02d}-{int(day):02d}"
    plain = _THOUSANDS.sub("", _PERCENT.sub(" percent ", text.lower()))  # "12,600,000": one number
    count = _count_key(_words(plain))
    if count:
        return count
    plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    parts = [" ".join(_words(part)) for part in _COORDINATION.split(plain)] if _AND.search(plain) else []
    return " and ".join(sorted(p for p in parts if p)) if parts else " ".join(_words(plain))


_AND = re.compile(r"\s(?:and|&)\s")
_COORDINATION = re.compile(r",?\s+(?:and|&)\s+|,\s+")


def _words(text: str) -> list[str]:
    """Words and numbers ("12.6") without the punctuation around them."""
    return re.sub(r"[^\w.]+|(?<!\d)\.|\.(?!\d)", " ", text).split()


_PERCENT = re.compile(r"%|\bper cent\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_SMALL = {w: n for n, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}
_SMALL |= {w: 10 * (n + 2) for n, w in enumerate((
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"))} | {"dozen": 12}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _count_key(words: list[str]) -> str | None:
    """The value of a leading number, spelled in digits or words, and the stemmed words after it."""
    total, current, used = 0.0, 0.0, 0
    for word in words:  # `span_key` has taken out the commas
        if re.fullmatch(r"\d+(?:\.\d+)?", word):
            current += float(word)
        elif word in _SMALL:
            current += _SMALL[word]
        elif word in _SCALES and used:
            current *= _SCALES[word]
            if _SCALES[word] >= 1000:
                total, current = total + current, 0.0
        else:
            break
        used += 1
    if not used:
        return None
    value = total + current
    number = str(int(value)) if value == int(value) else f"{value:.6g}"
    return " ".join([number, *(stem(w) for w in words[used:])])


_UNIT = re.compile(r"(\d[\d,.]*)-(second|minute|hour|day|night|week|month|year|decade)")


def in_digits(count: str) -> str:
    """A count as a chat answer writes it: a number spelled in words in digits ("four astronauts" ->
    "4 astronauts", "two million" -> "2 million", "twenty-five" -> "25"), and a compound length as a
    length ("a 20-year sentence" answers "how long" with "20 years")."""
    words = count.split()
    value, used = 0, 0
    for word in words:
        parts = word.lower().split("-")
        if not all((p in _SMALL and p != "dozen") or p == "hundred" for p in parts):
            break
        for part in parts:
            value = value * 100 if part == "hundred" else value + _SMALL[part]
        used += 1
    if used and value:
        count = " ".join([str(value), *words[used:]])
    unit = _UNIT.fullmatch(count)
    if unit:
        n = unit.group(1)
        count = f"{n} {unit.group(2)}{'' if n == '1' else 's'}"
    return count
