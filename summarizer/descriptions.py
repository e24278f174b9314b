"""'Who is X?': the title or apposition news gives a person it names.

A question that only names someone ("Who is Tahir Andrabi?") asks what the coverage says they are;
news says it next to the name, as a title before it ("Foreign Office spokesperson Tahir Andrabi") or
an apposition after it ("Tahir Andrabi, the Foreign Office spokesperson,"). The short answer is that
phrase with the name, as written in the evidence.
"""

from __future__ import annotations

import re

from summarizer.speakers import TITLES

_WHO_IS = re.compile(r"^\s*(?i:who\s+(?:is|was|'s|’s))\s+([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)\s*\?*\s*$")
# words that may stand in a title before a name besides title words and capitalised ones
_LINKS = frozenset({"of", "for", "and"})
_APPOSITION = re.compile(r",\s+((?:the|a|an)\s+[^,.;:()“”\"]{3,80}?)(?:,|\.|\s+(?:said|says|told|added)\b)")
_MAX_WORDS = 6


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
