"""Who said it: the speaker mention next to a quotation's cue, and the name it refers to.

News attributes quotes with a handful of fixed patterns ("…,” X said", "said X", "X said: “…”",
"according to X", "…, saying, “…”"), so a token-level reading of the clause right after the
closing mark, between the pieces, or before the opening mark finds the cue and the mention next
to it. The mention is reported as written ("he", "the minister", "Sen. Ted Cruz"); the speaker is
the name it resolves to (titles stripped, pronouns and nominals resolved: `summarizer.speakers`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.quotes import CUE_WORDS
from summarizer.speakers import (
    ORG_HEADS,
    PRONOUNS,
    STOP_CAPS,
    Mention,
    NameState,
    clean_name,
    note_names,
    resolve,
    wordset,
)

if TYPE_CHECKING:
    from summarizer.quotes import Quotation

__all__ = ["Speaker", "attribute", "clean_name"]


_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Rev|Prof|St|Jr|Sr|Maj|Adm|Pres|Supt)\."
    r"|[A-Z]\.(?=\s+[A-Z])|[^\W\d_][\w’'-]*|\d(?:[\d,.:]*\d)?\w*|[^\w\s]"
)
_DETERMINERS = wordset("the a an another one this that his her its their our my your some")
_PARTICIPLES = wordset(
    """saying adding telling writing asking noting warning declaring insisting arguing explaining
    stating tweeting replying responding"""
)
_NO_FORWARD = frozenset(["told", "tells", "asked", "asks", "urged", "urges", "warned", "warns"])
_SKIP = wordset(
    """also later then again once further previously recently earlier simply often still had has have
    would will reportedly has just had then on in at last this late early night morning afternoon
    evening today yesterday tonight week month year monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november
    december jan feb aug sept oct nov dec"""
)
_PARTICLES = frozenset(["de", "van", "von", "la", "del", "da", "di", "bin", "al", "el", "ul"])


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker: the display name and the mention next to the cue."""

    name: str | None
    start: int
    end: int
    kind: str  # "name", "pronoun" or "nominal"


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _is_cap(tok: _Tok) -> bool:
    return tok.text[:1].isupper() or tok.low in _PARTICLES


def _is_cue(tok: _Tok, nxt: _Tok | None, prev: _Tok | None = None) -> bool:
    if tok.low == "according":
        return nxt is not None and nxt.low == "to"
    if prev is not None and tok.text[:1].isupper() and _is_cap(prev):
        return False  # part of a name: "United States"
    return tok.low in CUE_WORDS


# ----------------------------------------------------------------------------- mentions
def _backward(toks: list[_Tok], text: str) -> Mention | None:
    """The mention ending right before a cue: skip adverbs, dates, parentheses and an appositive."""
    i = len(toks) - 1
    while i >= 0:
        t = toks[i]
        adverb = t.low.endswith("ly") and t.text.islower() and len(t.text) > 4
        if t.low in _SKIP or adverb or t.text[0].isdigit():
            i -= 1
        elif t.text == ")":
            j = i
            while j >= 0 and toks[j].text != "(":
                j -= 1
            if j < 0:
                return None
            i = j - 1
        elif t.text == "," and i > 0:
            j = i - 1
            while j >= 0 and toks[j].text != "," and i - j < 26:
                j -= 1
            if j < 0 or toks[j].text != ",":
                return None
            inner = _backward(toks[j + 1 : i], text)  # "Norm Coleman, the former senator, said"
            before = _backward(toks[:j], text)
            return before if before and before.kind == "name" else inner
        else:
            break
    if i < 0:
        return None
    t = toks[i]
    if t.low in PRONOUNS and (t.text.islower() or t.text in ("He", "She", "It", "They", "We", "I")):
        return Mention(t.start, t.end, "pronoun", t.text)
    if _is_cap(t) and t.text[0].isalpha():
        j = i
        while j - 1 >= 0 and _is_cap(toks[j - 1]) and toks[j - 1].text[0].isalpha():
            j -= 1
        while j <= i and toks[j].text in STOP_CAPS:
            j += 1
        if j > i:
            return None
        if j - 1 >= 0 and toks[j - 1].low in ("the",):
            return Mention(toks[j - 1].start, t.end, "nominal" if _is_org(toks[j:i + 1]) else "name",
                            text[toks[j].start:t.end])
        return Mention(toks[j].start, t.end, "name", text[toks[j].start:t.end])
    if t.text.isalpha():
        for j in range(i, max(-1, i - 6), -1):
            w = toks[j]
            if not (w.text[0].isalpha() or w.text in ("-",)):
                return None
            if w.low in _DETERMINERS or w.text.endswith(("’s", "'s")):
                return Mention(w.start, t.end, "nominal", text[w.start:t.end])
    return None


_STOP_FORWARD = wordset(
    """who that which for of in at on with to from during after before when while as and but or about"""
)


def _forward(toks: list[_Tok], text: str) -> Mention | None:
    """The mention right after a cue: "said Sen. Ted Cruz", "read a joint statement"."""
    i = 0
    while i < len(toks) and (toks[i].low in _SKIP and not _is_cap(toks[i])):
        i += 1
    if i >= len(toks):
        return None
    t = toks[i]
    if t.low in PRONOUNS and t.text.islower():
        return Mention(t.start, t.end, "pronoun", t.text)
    if _is_cap(t) and t.text[0].isalpha() and t.text not in STOP_CAPS:
        j = i
        while j + 1 < len(toks) and _is_cap(toks[j + 1]) and toks[j + 1].text[0].isalpha():
            j += 1
        return Mention(t.start, toks[j].end, "name", text[t.start:toks[j].end])
    described = _described(toks[i:], text)
    if described is not None:
        return described
    if t.low in _DETERMINERS and t.low not in ("that", "this"):
        j = i
        while j + 1 < len(toks) and toks[j + 1].text[0].isalnum() and toks[j + 1].low not in _STOP_FORWARD \
                and j - i < 5 and not _is_cue(toks[j + 1], None):
            j += 1
        if j > i:
            return Mention(t.start, toks[j].end, "nominal", text[t.start:toks[j].end])
    return None


def _described(toks: list[_Tok], text: str) -> Mention | None:
    """A name after its lowercase description: "said spokesman John Kirby", "said former Obama
    adviser David Axelrod". The mention runs from the description to the name; the speaker is the
    last capitalised run (the description's own names, "Obama", qualify it)."""
    last = None
    for k, t in enumerate(toks[:8]):
        if _is_cap(t) and t.text[0].isalpha() and t.text not in STOP_CAPS:
            last = k
        elif not (t.text.isalpha() and t.text.islower()) or t.low in _STOP_FORWARD or t.low in _DETERMINERS \
                or t.low in PRONOUNS or _is_cue(t, None) or (last is not None and last < k - 1):
            break
    if not last:  # nothing capitalised, or a name first (the caller's plain case)
        return None
    first = last
    while first > 0 and _is_cap(toks[first - 1]):
        first -= 1
    return Mention(toks[0].start, toks[last].end, "name", text[toks[first].start:toks[last].end])


def _is_org(toks: Sequence[_Tok]) -> bool:
    return bool(toks) and toks[-1].low in ORG_HEADS


def _cue_after(text: str, start: int, limit: int, closed: bool = False) -> Mention | None:
    """Attribution in the clause that follows a closing mark: "…,” he said", "…” said X".

    `closed`: the quotation ended its sentence (“….”), so "He added that …" starts a new one.
    """
    toks = _tokens(text, start, limit)
    stop = next((k for k, t in enumerate(toks) if t.text in "“\"”«„" or t.text in ".!?;"), len(toks))
    if closed and stop < len(toks) and toks[stop].text in "“«„":
        return None  # "….” Then X said that “…”: that clause introduces its own quotation
    toks = toks[:stop]
    while toks and toks[0].text in ",:—–-":
        toks = toks[1:]
    for k, t in enumerate(toks[:32]):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if not _is_cue(t, nxt, toks[k - 1] if k else None):
            continue
        if t.low in _PARTICIPLES or (closed and toks[0].text in ("He", "She", "It", "They", "We", "I")):
            return None  # "…,” adding that …": the speaker is the subject before the quote
        if k == 0 or (k <= 2 and all(x.low in _SKIP for x in toks[:k])):
            rest = toks[k + 2:] if t.low == "according" else toks[k + 1:]
            return _forward(rest, text)
        back = _backward(toks[:k], text)
        if (back is not None and back.start == toks[0].start) or (back and k <= 12):
            return back
        if t.low not in _NO_FORWARD:
            return _forward(toks[k + 1:], text)
        return None
    return None


_SENT_END = re.compile(r"[.!?][”\"’']?\s+(?=[“\"'‘A-Z])")
_ABBREV_END = re.compile(r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|St|Jr|Sr|No|vs|U\.S|a\.m|p\.m)\.$")


def _sentence_start(text: str, at: int) -> int:
    line = text.rfind("\n", 0, at) + 1
    start = line
    for m in _SENT_END.finditer(text, line, at):
        if not _ABBREV_END.search(text[max(line, m.start() - 4):m.start() + 1]):
            start = m.end()
    return start


def _cue_before(text: str, at: int) -> Mention | None:
    """Attribution before an opening mark: "X said: “", "said X, “", "…, saying, “", "X: “"."""
    start = _sentence_start(text, at)
    toks = _tokens(text, start, at)
    while toks and toks[-1].text in "“\"«„":
        toks = toks[:-1]
    if not toks:
        return None
    if toks[-1].text == ":" and len(toks) <= 16 and not any(t.low in CUE_WORDS for t in toks):
        m = _backward(toks[:-1], text) if len(toks) <= 6 else None
        if m is not None and m.start == toks[0].start:
            return m  # "Asif: “…”"
        m = _forward(toks[:-1], text)
        if m is not None and m.kind == "name" and m.start == toks[0].start \
                and text[m.end:m.end + 1] == ",":
            return m  # "Windsor Mann, editor of The Quotable Hitchens: “…”"
    for k in range(len(toks) - 1, -1, -1):
        t = toks[k]
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if not _is_cue(t, nxt, toks[k - 1] if k else None):
            continue
        if t.low == "according":
            return _forward(toks[k + 2:], text)
        if t.low in _PARTICIPLES:
            return _subject(toks[:k], text)
        back = _backward(toks[:k], text)
        if back is not None:
            return back
        if t.low not in _NO_FORWARD:
            return _forward(toks[k + 1:], text)
        return None
    return None


def _subject(toks: list[_Tok], text: str) -> Mention | None:
    """The subject of a clause whose participle introduces a quote ("Asif defended …, saying")."""
    found = _forward(toks, text)
    if found is None or toks[0].low.endswith("ing"):
        comma = next((k for k, t in enumerate(toks[:12]) if t.text == ","), None)
        if comma is not None:
            found = _forward(toks[comma + 1:], text) or found  # "Later the next day, X announced"
    return found


def attribute(text: str, quotations: Sequence[Quotation]) -> list[Speaker | None]:
    """One speaker (or None) per quotation, in order; later pronouns resolve against earlier names."""
    state = NameState([], [])
    out: list[Speaker | None] = []
    prev: Speaker | None = None
    prev_end = 0
    for q in quotations:
        first_open = q.marks[0][0]
        note_names(text, prev_end, first_open, state)
        mention = None
        for (_, close_end), (next_open, _) in zip(q.marks, q.marks[1:], strict=False):
            mention = _cue_after(text, close_end, next_open)
            if mention:
                break
        last_close = q.marks[-1][1]
        line_end = text.find("\n", last_close)
        line_end = len(text) if line_end < 0 else line_end
        before = _cue_before(text, first_open)
        prefix = text[_sentence_start(text, first_open):first_open].rstrip(" “\"«„")
        if mention is None and before is not None and prefix[-1:] in ",:":
            mention = before
        if mention is None:
            closed = text[q.spans[-1][0]:q.spans[-1][1]].rstrip()[-1:] == "."
            mention = _cue_after(text, last_close, min(line_end, last_close + 200), closed)
        if mention is None:
            mention = before or _signature(text, line_end)
        speaker: Speaker | None = None
        if mention is not None:
            speaker = Speaker(resolve(text, mention, state), mention.start, mention.end, mention.kind)
        elif prev is not None and _continues(text, prev_end, first_open):
            speaker = prev
        else:
            speaker = _previous_sentence(text, first_open, state)
        out.append(speaker)
        if speaker is not None:
            prev = speaker
        prev_end = q.marks[-1][1]
    return out


_BREAK = re.compile(r"\n(?:[ \t\u00a0]*\n)*")  # a line or paragraph break, however many blank lines


_SIGNATURE = re.compile(r"\s*[-—–]+[ \t\u00a0]*(?=[A-Z])")


def _signature(text: str, line_end: int) -> Mention | None:
    """A roundup's signature under the quotation: '“…”⏎⏎- Bernie Sanders.', '— Michelle Marks, Ohio'."""
    m = _SIGNATURE.match(text, line_end)
    if m is None:
        return None
    end = text.find("\n", m.end())
    found = _forward(_tokens(text, m.end(), len(text) if end < 0 else end), text)
    return found if found is not None and found.kind == "name" and found.start == m.end() else None


def _continues(text: str, prev_end: int, start: int) -> bool:
    """A quotation right after the previous one (same or next paragraph) has the same speaker."""
    gap = text[prev_end:start]
    return len(_BREAK.findall(gap)) <= 1 and len(gap.split()) <= 12


def _previous_sentence(text: str, at: int, state: NameState) -> Speaker | None:
    """'Asif said on Friday. “…”': the cue sits in the sentence before the quotation."""
    start = _sentence_start(text, at)
    if start == 0 or (text[start - 1] == "\n" and start - 2 >= 0 and text[start - 2] == "\n"):
        prev_start = _sentence_start(text, max(0, start - 2))
    else:
        prev_start = _sentence_start(text, max(0, start - 1))
    toks = _tokens(text, prev_start, start)
    for k, t in enumerate(toks):
        if _is_cue(t, toks[k + 1] if k + 1 < len(toks) else None, toks[k - 1] if k else None):
            m = _backward(toks[:k], text)
            if m is None and t.low not in _NO_FORWARD:
                m = _forward(toks[k + 1:], text)
            if m is not None:
                return Speaker(resolve(text, m, state), m.start, m.end, m.kind)
    return None
