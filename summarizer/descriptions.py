"""'Who is X?': the title or apposition news gives a person it names; 'What is the TTP?': the name an
acronym stands for.

A question that only names someone ("Who is Tahir Andrabi?") asks what the coverage says they are;
news says it next to the name, as a title before it ("Foreign Office spokesperson Tahir Andrabi") or
an apposition after it ("Tahir Andrabi, the Foreign Office spokesperson,"). The short answer is that
phrase with the name, as written in the evidence. Likewise news spells an acronym out once, with the
acronym in brackets after it ("Tehreek-e-Taliban Pakistan (TTP)") or, less often, before it.
"""

from __future__ import annotations

import re

from summarizer.speakers import TITLES

# a name's words are capitalised but for particles ("Fitna al-Hindustan", "Ursula von der Leyen")
_PARTICLE = r"(?:al|el|ad|bin|ibn|de|del|di|da|van|von|der|den|du|la|le)"
_WHO_IS = re.compile(rf"^\s*(?i:who\s+(?:is|was|'s|’s))\s+([A-Z][\w.’'-]*(?:\s+(?:[A-Z][\w.’'-]*|{_PARTICLE}"
                     rf"(?:-[A-Z][\w.’'-]*)?))*)\s*\?*\s*$")
# words that may stand in a title before a name besides title words and capitalised ones
_LINKS = frozenset({"of", "for", "and"})
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s+[^,.;:()“”\"]{3,80}?)(?:,|\.|\s+(?:said|says|told|added)\b)")
_MAX_WORDS = 6
_WHAT_IS = re.compile(r"^\s*(?i:what\s+(?:is|are|was|were|does|do|'s|’s))\s+(?i:the\s+)?"
                      r"([A-Z][A-Z0-9&]{1,9}s?)(?:\s+(?i:stand\s+for))?\s*\?*\s*$")
# "Who is the prime minister of India?", "What is the GDP of Pakistan?": a role or attribute of a name
_CAPITALISED = r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*"
_OF_NAME = re.compile(r"^\s*(?i:who|what)\s+(?i:is|are|was|were|'s|’s)\s+(?:(?i:the)\s+)?"
                      r"(?P<head>[\w\s.’'-]+?)"
                      rf"\s+(?i:of|in|for)\s+(?:(?i:the)\s+)?(?P<name>{_CAPITALISED})\s*\?*\s*$")
# lowercase words that may stand inside a spelled-out name ("Organisation of the Petroleum ...")
_NAME_LINKS = frozenset({"of", "for", "and", "the", "on", "in", "de", "e", "al", "du", "des", "la"})


def asked_person(question: str) -> str | None:
    """The name a 'who is / who was X?' question asks about, when X is only a name."""
    m = _WHO_IS.match(question)  # capitalised words only
    if m is None or m.group(1).split()[0].lower() in ("the", "a", "an"):
        return None
    return m.group(1)


def _is_title(word: str) -> bool:
    return word.lower().strip(".,") in TITLES or word.lower().removesuffix("’s").removesuffix("'s") in TITLES


def _before(sentence: str, start: int) -> str | None:
    """The title right before a name: capitalised words and title words, at least one of them a title."""
    words = sentence[:start].split()
    kept: list[str] = []
    for word in reversed(words[-_MAX_WORDS:]):
        if word[-1:] in ",;:()\"“”" or not re.fullmatch(r"[\w.’'-]+", word):
            break
        if _is_title(word) or word[:1].isupper() or (word in _LINKS and kept):
            kept.insert(0, word)
        else:
            break
    while kept and kept[0] in _LINKS:
        kept.pop(0)
    return " ".join(kept) if any(_is_title(w) for w in kept) else None


def describe(sentence: str, name: str) -> str | None:
    """`name` with the title or apposition `sentence` gives it, or None."""
    last = name.split()[-1]
    for m in re.finditer(rf"\b((?:[A-Z][\w’'-]*\s+){{0,3}}){re.escape(last)}\b", sentence):
        # the full name as written, without the capitalised title words before it
        words = m.group(0).split()
        while len(words) > 1 and _is_title(words[0]):
            words.pop(0)
        full = " ".join(words)
        start = m.end() - len(full)
        title = _before(sentence, start)
        if title is not None:
            return f"{title} {full}"
        after = _APPOSITION.match(sentence, m.end())
        if after is not None and any(_is_title(w) for w in after.group(1).split()):
            return f"{full}, {after.group(1)}"
    return None


_WHO_THE = re.compile(r"^\s*(?i:who\s+(?:is|was|are|were|'s|’s))\s+(?i:the)\s+"
                      r"(?P<title>(?:[\w’'-]+\s+){0,3}[a-z][\w’'-]*)\s*\?*\s*$")
_HOLDER = r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}"


def asked_title(question: str) -> str | None:
    """The title a 'who is the X?' question asks the holder of ("the Afghan spokesman"), when X ends
    with a title word; "the X of Y" is `asked_of`'s."""
    m = _WHO_THE.match(question)
    if m is None or _OF_NAME.match(question):
        return None
    title = m.group("title")
    return title if _is_title(title.split()[-1]) else None


def holder(sentence: str, title: str) -> str | None:
    """Who `sentence` names with the title's head word right before the name, with the title as
    written: "Taliban spokesman Zabihullah Mujahid" for "spokesman", or None."""
    head = re.escape(title.split()[-1])
    m = re.search(rf"(?:[A-Z][\w’'-]*\s+){{0,3}}(?i:{head})\s+{_HOLDER}", sentence)
    return m.group() if m is not None else None


def asked_acronym(question: str) -> str | None:
    """The acronym a 'what is (the) X?' or 'what does X stand for?' question asks about ("TTP")."""
    m = _WHAT_IS.match(question)
    return m.group(1).removesuffix("s") if m else None


def asked_of(question: str) -> tuple[str, ...]:
    """The names a "who / what is the X of Y?" question hangs on: Y, and X when it is a name too
    ("GDP"). Coverage that never names one of them cannot answer ("the prime minister of India"
    from coverage that never mentions India), however close the rest of it comes."""
    m = _OF_NAME.match(question)
    if m is None:
        return ()
    return (*re.findall(_CAPITALISED, m.group("head")), m.group("name"))


def _spelled(words: list[str], acronym: str) -> str | None:
    """`words` (the end of a name) cut to the name that starts with the acronym's first letter, or None."""
    kept: list[str] = []
    for word in reversed(words[-8:]):
        if not re.fullmatch(r"[\w’'&-]+", word) or not (word[:1].isupper() or word in _NAME_LINKS):
            break
        kept.insert(0, word)
    while kept and (kept[0] in _NAME_LINKS or kept[0][0].lower() != acronym[0].lower()):
        kept.pop(0)
    return " ".join(kept) if kept and not (len(kept) == 1 and kept[0] == acronym) else None


def expand(sentence: str, acronym: str) -> str | None:
    """The name `acronym` stands for as `sentence` spells it out, with the acronym ("Tehreek-e-Taliban
    Pakistan (TTP)"), or None. The name must start with the acronym's first letter."""
    a = re.escape(acronym)
    before = re.search(rf"\(\s*{a}s?\s*\)", sentence)
    if before is not None:
        name = _spelled(sentence[:before.start()].split(), acronym)
        if name is not None:
            return f"{name} ({acronym})"
    after = re.search(rf"\b{a}s?\s*\(([^()]{{3,80}})\)", sentence)
    if after is not None:
        name = _spelled(after.group(1).split(), acronym)
        if name is not None and name == after.group(1).strip():
            return f"{name} ({acronym})"
    return None
