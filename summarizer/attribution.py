"""Who said it: the speaker mention next to a quotation's cue, and the name it refers to.

News attributes quotes with a handful of fixed patterns ("…,” X said", "said X", "X said: “…”",
"according to X", "…, saying, “…”"), so a token-level reading of the clause right after the
closing mark, between the pieces, or before the opening mark finds the cue and the mention next
to it. The mention is reported as written ("he", "the minister", "Sen. Ted Cruz"); the speaker is
the name it resolves to: titles stripped, pronouns and definite nominals ("the minister") taken to
the speaker named before them, as news writing introduces a speaker in full and then shortens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.quotes import CUE_WORDS

if TYPE_CHECKING:
    from summarizer.quotes import Quotation


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, to keep long word lists readable."""
    return frozenset(words.split())


_TOKEN = re.compile(
    r"(?:[A-Z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Rev|Prof|St|Jr|Sr|Maj|Adm|Pres|Supt)\."
    r"|[A-Z]\.(?=\s+[A-Z])|[^\W\d_][\w’'-]*|\d[\d,.:]*\w*|[^\w\s]"
)
_PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "group", "we": "group", "i": "self"}
_DETERMINERS = _wordset("the a an another one this that his her its their our my your some")
_PARTICIPLES = _wordset(
    """saying adding telling writing asking noting warning declaring insisting arguing explaining
    stating tweeting replying responding"""
)
_NO_FORWARD = frozenset(["told", "tells", "asked", "asks", "urged", "urges", "warned", "warns"])
_SKIP = _wordset(
    """also later then again once further previously recently earlier simply often still had has have
    would will reportedly has just had then on in at last this late early night morning afternoon
    evening today yesterday tonight week month year monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october november
    december jan feb aug sept oct nov dec"""
)
_STOP_CAPS = _wordset(
    """The A An He She It They We I You But And Or In On At As If When While After Before This That
    These Those His Her Their Its Our My So Yet For With From By To Of Still Then There Here What
    Why How Who Now Also Later Earlier Speaking Meanwhile However According Asked Read More"""
)
_PARTICLES = frozenset(["de", "van", "von", "la", "del", "da", "di", "bin", "al", "el", "ul"])
TITLES = _wordset(
    """mr mrs ms dr sen rep gov gen lt col sgt capt rev prof pres maj adm president senator
    representative governor secretary minister ministers prime deputy vice chief foreign defence
    defense interior finance home federal state spokesman spokeswoman spokesperson director chairman
    chairwoman chair ambassador mayor judge justice attorney general commissioner officer official
    leader speaker former acting executive senior press campaign manager adviser advisor candidate
    nominee presidential democratic republican congressman congresswoman councilman ceo founder
    professor analyst lawyer coach king queen prince sheikh pope cardinal bishop information affairs
    national security army police"""
)
ORG_HEADS = _wordset(
    """ministry office department committee party campaign commission council court agency association
    union times post news network institute foundation group administration government center centre
    bureau service police army university inc corp co company house senate congress parliament
    assembly board statement report memo letter release website email tweet post ad spokesman
    spokeswoman spokesperson embassy"""
)
_DOCUMENTS = _wordset(
    """statement report memo letter release website email tweet post ad ruling filing document
    communique declaration order lawsuit complaint"""
)


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


def _is_cue(tok: _Tok, nxt: _Tok | None) -> bool:
    if tok.low == "according":
        return nxt is not None and nxt.low == "to"
    return tok.low in CUE_WORDS


# ----------------------------------------------------------------------------- mentions
@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    kind: str  # name / pronoun / nominal
    text: str


def _backward(toks: list[_Tok], text: str) -> _Mention | None:
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
            while j >= 0 and toks[j].text != "," and i - j < 14:
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
    if t.low in _PRONOUNS and (t.text.islower() or t.text in ("He", "She", "It", "They", "We", "I")):
        return _Mention(t.start, t.end, "pronoun", t.text)
    if _is_cap(t) and t.text[0].isalpha():
        j = i
        while j - 1 >= 0 and _is_cap(toks[j - 1]) and toks[j - 1].text[0].isalpha():
            j -= 1
        while j <= i and toks[j].text in _STOP_CAPS:
            j += 1
        if j > i:
            return None
        if j - 1 >= 0 and toks[j - 1].low in ("the",):
            return _Mention(toks[j - 1].start, t.end, "nominal" if _is_org(toks[j:i + 1]) else "name",
                            text[toks[j].start:t.end])
        return _Mention(toks[j].start, t.end, "name", text[toks[j].start:t.end])
    if t.text.isalpha():
        for j in range(i, max(-1, i - 6), -1):
            w = toks[j]
            if not (w.text[0].isalpha() or w.text in ("-",)):
                return None
            if w.low in _DETERMINERS or w.text.endswith(("’s", "'s")):
                return _Mention(w.start, t.end, "nominal", text[w.start:t.end])
    return None


_STOP_FORWARD = _wordset(
    """who that which for of in at on with to from during after before when while as and but or about"""
)


def _forward(toks: list[_Tok], text: str) -> _Mention | None:
    """The mention right after a cue: "said Sen. Ted Cruz", "read a joint statement"."""
    i = 0
    while i < len(toks) and (toks[i].low in _SKIP and not _is_cap(toks[i])):
        i += 1
    if i >= len(toks):
        return None
    t = toks[i]
    if t.low in _PRONOUNS and t.text.islower():
        return _Mention(t.start, t.end, "pronoun", t.text)
    if _is_cap(t) and t.text[0].isalpha() and t.text not in _STOP_CAPS:
        j = i
        while j + 1 < len(toks) and _is_cap(toks[j + 1]) and toks[j + 1].text[0].isalpha():
            j += 1
        return _Mention(t.start, toks[j].end, "name", text[t.start:toks[j].end])
    if t.low in _DETERMINERS and t.low not in ("that", "this"):
        j = i
        while j + 1 < len(toks) and toks[j + 1].text[0].isalpha() and toks[j + 1].low not in _STOP_FORWARD \
                and j - i < 5 and not _is_cue(toks[j + 1], None):
            j += 1
        if j > i:
            return _Mention(t.start, toks[j].end, "nominal", text[t.start:toks[j].end])
    return None


def _is_org(toks: Sequence[_Tok]) -> bool:
    return bool(toks) and toks[-1].low in ORG_HEADS


def _cue_after(text: str, start: int, limit: int, closed: bool = False) -> _Mention | None:
    """Attribution in the clause that follows a closing mark: "…,” he said", "…” said X".

    `closed`: the quotation ended its sentence (“….”), so "He added that …" starts a new one.
    """
    toks = _tokens(text, start, limit)
    stop = next((k for k, t in enumerate(toks) if t.text in "“\"”«„" or t.text in ".!?;"), len(toks))
    toks = toks[:stop]
    while toks and toks[0].text in ",:—–-":
        toks = toks[1:]
    for k, t in enumerate(toks[:16]):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if not _is_cue(t, nxt):
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


def _cue_before(text: str, at: int) -> _Mention | None:
    """Attribution before an opening mark: "X said: “", "said X, “", "…, saying, “", "X: “"."""
    start = _sentence_start(text, at)
    toks = _tokens(text, start, at)
    while toks and toks[-1].text in "“\"«„":
        toks = toks[:-1]
    if not toks:
        return None
    if toks[-1].text == ":" and len(toks) <= 6:
        m = _backward(toks[:-1], text)
        if m is not None and m.start == toks[0].start:
            return m  # "Asif: “…”"
    for k in range(len(toks) - 1, -1, -1):
        t = toks[k]
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if not _is_cue(t, nxt):
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


def _subject(toks: list[_Tok], text: str) -> _Mention | None:
    """The subject of a clause whose participle introduces a quote ("Asif defended …, saying")."""
    found = _forward(toks, text)
    if found is None or toks[0].low.endswith("ing"):
        comma = next((k for k, t in enumerate(toks[:12]) if t.text == ","), None)
        if comma is not None:
            found = _forward(toks[comma + 1:], text) or found  # "Later the next day, X announced"
    return found


# ----------------------------------------------------------------------------- resolution
def clean_name(name: str) -> str:
    """A display name without titles ("Defence Minister Khawaja Asif" -> "Khawaja Asif").

    Organisations ("Turkiye’s Foreign Ministry") keep their possessive; names of people lose the
    context before them ("Pakistan’s Defence Minister Khawaja Muhammad Asif" -> "Khawaja Muhammad Asif").
    """
    words = name.replace("\u00a0", " ").split()
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    poss = max((k for k, w in enumerate(words) if w.endswith(("’s", "'s"))), default=-1)
    rest = words[poss + 1:]
    core = list(rest)
    while core and core[0].lower().strip(".") in TITLES:
        core = core[1:]
    if not core or core[-1].lower().strip(".") in ORG_HEADS:
        return " ".join(words).strip(" ,.")  # an organisation or a document
    return " ".join(core).strip(" ,")


def _entity_kind(name: str, mention_kind: str) -> str:
    last = name.split()[-1].lower().strip(".,") if name.split() else ""
    if last in _DOCUMENTS or last in ORG_HEADS:
        return "org"
    return "person"


@dataclass
class _State:
    persons: list[str]
    orgs: list[str]


def _resolve(text: str, m: _Mention, state: _State) -> str | None:
    if m.kind == "name":
        name = _full_form(text, clean_name(m.text), m.start)
        (state.orgs if _entity_kind(name, m.kind) == "org" else state.persons).append(name)
        return name
    if m.kind == "pronoun":
        role = _PRONOUNS.get(m.text.lower())
        if role == "person":
            return state.persons[-1] if state.persons else _name_before(text, m.start)
        if role in ("org", "group"):
            return state.orgs[-1] if state.orgs else None
        return None
    # nominal: a document or body speaks for itself; "the minister" is the person named before
    words = m.text.split()
    head = words[-1].lower().strip(".,") if words else ""
    if head in _DOCUMENTS or head in ORG_HEADS or any(w.endswith(("’s", "'s")) for w in words[:1]):
        name = clean_name(m.text)
        state.orgs.append(name)
        return name
    if words and words[0].lower() in ("the", "this", "that"):
        return (state.persons[-1] if state.persons else _name_before(text, m.start)) or clean_name(m.text)
    return clean_name(m.text)


_MULTI_NAME = re.compile(r"[A-Z][\w’'-]+(?: (?:[A-Z][\w’'-]+|[A-Z]\.))+")


def _full_form(text: str, name: str, at: int) -> str:
    """A one-word name ("Asif") as introduced earlier in the article ("Defence Minister Khawaja Asif")."""
    if " " in name or not name[:1].isupper():
        return name
    pattern = re.compile(r"((?:[A-Z][\w’'-]+ ){1,4})" + re.escape(name) + r"\b")
    for m in pattern.finditer(text, 0, at):
        words = m.group().split()
        while words and words[0] in _STOP_CAPS:
            words = words[1:]
        full = clean_name(" ".join(words))
        if len(full.split()) >= 2 and full.split()[-1] == name:
            return full
    return name


def _name_before(text: str, at: int) -> str | None:
    """The nearest person's name of two words or more before `at`: who a first "he" refers to."""
    best = None
    for m in _MULTI_NAME.finditer(text, max(0, at - 800), at):
        words = m.group().split()
        while words and words[0] in _STOP_CAPS:
            words = words[1:]
        name = clean_name(" ".join(words)) if words else ""
        if len(name.split()) >= 2 and _entity_kind(name, "name") == "person":
            best = name
    return best


def _note_names(text: str, start: int, end: int, state: _State) -> None:
    """Names introduced between quotations ("Asif confirmed …"), for later pronouns to refer to."""
    for m in _NAME_SUBJECT.finditer(text, start, end):
        words = m.group(1).split()
        while words and words[0] in _STOP_CAPS:
            words = words[1:]
        name = clean_name(" ".join(words))
        if name and _entity_kind(name, "name") == "person":
            state.persons.append(name)


_NAME_SUBJECT = re.compile(
    r"((?:(?:[A-Z][\w’'-]*|Mr\.|Mrs\.|Ms\.|Dr\.|Sen\.|Rep\.|Gov\.|Gen\.) ){0,4}[A-Z][\w’'-]+)"
    r" (?:\([^)]{0,20}\) )?(?:on \w+day |also )?"
    r"(?:" + "|".join(sorted(CUE_WORDS - {"according"})) + r"|confirmed|emphasized|stressed|urged|reiterated"
    r"|defended|praised|criticized|accused|rejected|denied)\b"
)


def attribute(text: str, quotations: Sequence[Quotation]) -> list[Speaker | None]:
    """One speaker (or None) per quotation, in order; later pronouns resolve against earlier names."""
    state = _State([], [])
    out: list[Speaker | None] = []
    prev: Speaker | None = None
    prev_end = 0
    for q in quotations:
        first_open = q.marks[0][0]
        _note_names(text, prev_end, first_open, state)
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
            mention = before
        speaker: Speaker | None = None
        if mention is not None:
            speaker = Speaker(_resolve(text, mention, state), mention.start, mention.end, mention.kind)
        elif prev is not None and _continues(text, prev_end, first_open):
            speaker = prev
        else:
            speaker = _previous_sentence(text, first_open, state)
        out.append(speaker)
        if speaker is not None:
            prev = speaker
        prev_end = q.marks[-1][1]
    return out


def _continues(text: str, prev_end: int, start: int) -> bool:
    """A quotation right after the previous one (same or next paragraph) has the same speaker."""
    gap = text[prev_end:start]
    return gap.count("\n\n") + gap.count("\n") <= 2 and len(gap.split()) <= 12


def _previous_sentence(text: str, at: int, state: _State) -> Speaker | None:
    """'Asif said on Friday. “…”': the cue sits in the sentence before the quotation."""
    start = _sentence_start(text, at)
    if start == 0 or (text[start - 1] == "\n" and start - 2 >= 0 and text[start - 2] == "\n"):
        prev_start = _sentence_start(text, max(0, start - 2))
    else:
        prev_start = _sentence_start(text, max(0, start - 1))
    toks = _tokens(text, prev_start, start)
    for k, t in enumerate(toks):
        if _is_cue(t, toks[k + 1] if k + 1 < len(toks) else None):
            m = _backward(toks[:k], text)
            if m is None and t.low not in _NO_FORWARD:
                m = _forward(toks[k + 1:], text)
            if m is not None:
                return Speaker(_resolve(text, m, state), m.start, m.end, m.kind)
    return None
