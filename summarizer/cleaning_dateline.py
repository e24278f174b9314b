"""Datelines: "ISLAMABAD:", "KABUL –", "LONDON, Nov 6 (Reuters) -", "(CNN) —" at the start of a body.

A dateline is metadata, not part of the first sentence: we return the place and the outlet it names
and the sentence without it. Places written in capitals are returned in title case ("ISLAMABAD" ->
"Islamabad", "RIO DE JANEIRO" -> "Rio de Janeiro", "WASHINGTON, D.C." -> "Washington, D.C."), so the
same city reads the same whichever outlet reported it; places already in mixed case are kept as
written. A region after a comma stays part of the place ("Kabul, Afghanistan"); a date is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|"
          r"SEPT?|OCT|NOV|DEC)")
_WEEKDAY = r"(?:Mon|Tues?|Wed|Thu(?:rs)?|Fri|Sat|Sun)[a-z]*"
_CAPS_WORD = r"[A-Z][A-Z'’.\-]*(?![a-z])"
_TITLE_WORD = r"(?:[A-Z][a-z'’.\-]+|[A-Z]\.(?:[A-Z]\.)+)"
_PARTICLE = r"(?:de|da|do|del|la|le|es|au|of|upon|on|sur|al|el|am|an|der|di|du)"
_DATE = (rf",? (?:{_WEEKDAY},? )?(?:{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd"
         rf"|th)? {_MONTH}\.?)"
         r"(?:,? \d{4})?")
_OUTLET = r" ?\((?P<outlet>[A-Za-z][\w .&'’/-]{0,40})\)"
_WIRE = r" ?/(?P<wire>[A-Za-z][\w .&-]{0,30})/"
_SEP = r"(?: ?(?P<sep>[:–—|]|--)| (?P<hyphen>-) )"
_DATELINE = re.compile(
    rf"(?:(?P<caps>{_CAPS_WORD}(?: {_CAPS_WORD}){{0,3}})|(?P<title>{_TITLE_WORD}(?: (?:{_TITLE_WORD}"
    rf"|{_PARTICLE})){{0,3}}))"
    rf"(?P<region>, (?:{_CAPS_WORD}|{_TITLE_WORD})(?: (?:{_CAPS_WORD}|{_TITLE_WORD})){{0,2}})?"
    rf"(?P<date>{_DATE})?(?= ?[(/:–—|]| - | ?--)(?:{_OUTLET})?(?:{_WIRE})?(?:{_SEP})? ?")
_LONE_OUTLET = re.compile(rf"\((?P<outlet>[A-Z][\w .&'’/-]{{0,40}})\)(?:{_SEP})? ?")
_DESK = re.compile(r"(?:web|news|monitoring|online|digital|sports?|business|city|foreign|national) desk"
                   r"|staff (?:report|reporter|writer)|our (?:correspondent|reporter)|agencies|news agencies",
                   re.IGNORECASE)
_DESK_PREFIX = re.compile(rf"(?:{_DESK.pattern}) ?(?:[:–—|]|-{{1,2}}) ?", re.IGNORECASE)
# capitalised labels that look like a dateline but are not places
_LABELS = frozenset({
    "BREAKING", "BREAKING NEWS", "UPDATE", "UPDATED", "UPDATES", "EXCLUSIVE", "WATCH", "VIDEO", "VIDEOS",
    "PHOTO", "PHOTOS", "LIVE", "LIVE UPDATES", "ANALYSIS", "OPINION", "EDITORIAL", "COMMENT", "COMMENTARY",
    "FACT CHECK", "FACT-CHECK", "REVIEW", "INTERVIEW", "EXPLAINER", "NOTE", "EDITOR'S NOTE", "EDITOR’S NOTE",
    "CORRECTION", "CLARIFICATION", "URGENT", "FLASH", "ALERT", "LISTEN", "READ", "READ MORE", "RELATED",
    "ALSO READ", "FILE", "WARNING", "SPOILER", "SPOILERS", "FAQ", "SUMMARY", "NEW", "NEWS", "DEVELOPING",
    "JUST IN", "SPONSORED", "ADVERTISEMENT", "PODCAST", "QUIZ", "POLL", "OBITUARY", "LETTER", "LETTERS",
    "TRANSCRIPT", "SOURCE", "SOURCES", "UPDATE 1", "UPDATE 2", "UPDATE 3", "Q", "A", "I", "TOP", "MORE",
    "PHOTO GALLERY", "GALLERY", "MUST READ", "SEE ALSO", "PREVIEW", "RECAP", "FEATURE", "SPECIAL REPORT",
    "TIMELINE", "FACTBOX", "INSIGHT", "BYLINE", "BY", "CREDIT", "CAPTION", "PHOTO CREDIT", "DATELINE",
    "RPT", "CORRECTED", "REFILE", "WRAPUP", "ESSAY", "SATIRE",
})
# sentence openers that a dash can follow: "Meanwhile – The ministry said ..." has no place
_OPENERS = frozenset({
    "MEANWHILE", "HOWEVER", "EARLIER", "LATER", "TODAY", "YESTERDAY", "TOMORROW", "NOW", "ALSO", "STILL",
    "THEN", "HERE", "THERE", "INSTEAD", "SEPARATELY", "ELSEWHERE", "OVERALL", "FINALLY", "FIRST", "SECOND",
    "THIRD", "LAST", "NEXT", "AGAIN", "INDEED", "MOREOVER", "FURTHERMORE", "NEVERTHELESS", "NONETHELESS",
    "BUT", "AND", "SO", "YET", "OR", "PLUS", "THE", "THIS", "THAT", "IT", "HE", "SHE", "THEY", "WE", "YOU",
    "TONIGHT", "THEREFORE", "THUS", "BESIDES", "ADDITIONALLY", "INITIALLY", "ULTIMATELY", "CLEARLY",
})
_WIRES = frozenset({"AP", "Reuters", "AFP", "CNN", "PTI", "IANS", "ANI", "APP", "UPI", "dpa", "DPA", "Xinhua",
                    "Bloomberg", "EFE", "TASS", "Anadolu", "NNI", "AA", "BBC", "KUNA", "WAM", "SPA", "IRNA"})
_LOWER_PARTICLES = frozenset({"de", "da", "do", "del", "la", "le", "es", "au", "of", "upon", "on", "sur",
                              "der", "di", "du", "and"})


@dataclass(frozen=True)
class Dateline:
    place: str | None
    outlet: str | None
    rest: str  # the paragraph after the dateline


def _title_case_word(word: str, first: bool) -> str:
    if "." in word or (len(word) <= 2 and word.isalpha() and word.lower() not in _LOWER_PARTICLES):
        return word  # D.C., U.S., UK, NY
    if not first and word.lower() in _LOWER_PARTICLES:
        return word.lower()
    parts = word.split("-")
    return "-".join(p.lower() if i and p.lower() in _LOWER_PARTICLES else p[:1].upper() + p[1:].lower()
                    for i, p in enumerate(parts))


def display_place(place: str) -> str:
    """Capitals in title case ("PORT-AU-PRINCE" -> "Port-au-Prince"); mixed case kept as written."""
    pieces = []
    for part in place.split(", "):
        if part.upper() == part and any(c.isalpha() for c in part):
            words = part.split()
            part = " ".join(_title_case_word(w, i == 0) for i, w in enumerate(words))
        pieces.append(part)
    return ", ".join(pieces)


def _clean_outlet(raw: str | None) -> str | None:
    if not raw:
        return None
    outlet = raw.strip(" /")
    if not outlet or _DESK.fullmatch(outlet) or len(outlet.split()) > 5:
        return None
    return outlet


def parse_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening `paragraph`, or None when the paragraph does not start with one."""
    head = paragraph[:160]
    desk = _DESK_PREFIX.match(head)
    if desk and paragraph[desk.end():desk.end() + 1].isupper():
        return Dateline(None, None, paragraph[desk.end():])
    lone = _LONE_OUTLET.match(head)
    if lone:
        rest = paragraph[lone.end():]
        outlet = _clean_outlet(lone.group("outlet"))
        if rest[:1].isupper() or rest[:1] in "\"“‘'" or rest[:1].isdigit():
            return Dateline(None, outlet, rest) if outlet or _DESK.fullmatch(lone.group("outlet")) else None
        return None
    m = _DATELINE.match(head)
    if m is None:
        return None
    sep, outlet_raw, wire = m.group("sep") or m.group("hyphen"), m.group("outlet"), m.group("wire")
    place = m.group("caps") or m.group("title") or ""
    label = place.rstrip(".").upper()
    if (sum(c.isalpha() for c in place) < 2 or label in _LABELS
            or (label.split()[0] in _OPENERS and not m.group("caps"))):
        return None
    if m.group("title") and not (outlet_raw or wire or m.group("date") or sep in ("–", "—", "--")):
        return None  # "Mr Smith: ..." or "Meanwhile - ..." are not datelines
    if not (sep or outlet_raw or wire):
        return None
    rest = paragraph[m.end():]
    # "Advanced Micro Devices (AMD) Chief ..." is prose; "Washington (CNN)The ..." is a dateline
    spaced = paragraph[m.end() - 1:m.end()] == " "
    if outlet_raw and not sep and spaced and outlet_raw.split()[0] not in _WIRES:
        return None
    if rest and not (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"“‘'("):
        return None
    if m.group("caps") and not rest and sep != ":":
        return None
    if m.group("caps") and m.group("caps") != m.group("caps").upper():
        return None
    words = rest.split()
    if len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words):
        return None  # "FIX IS IN: PBS Moderators Ignore Clinton Scandals." is a headline
    outlet = _clean_outlet(outlet_raw) or _clean_outlet(wire)
    if outlet_raw and _clean_outlet(outlet_raw) is None and not _DESK.fullmatch(outlet_raw.strip()):
        return None  # "(…)" too long to be an outlet: this is prose, not a dateline
    full = (place + (m.group("region") or "")).split(" ")
    if full[-1] in _WIRES:  # "Kyiv, Ukraine CNN —", "AP: ..." name the outlet, not a place
        outlet, full = outlet or full[-1], full[:-1]
    where = " ".join(full).rstrip(", ")
    return Dateline(display_place(where) if where else None, outlet, rest)
