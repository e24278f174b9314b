"""Speaker names: from the mention next to a quote's cue to the name a reader should see.

Kept apart from the cue patterns (`summarizer.attribution`) because it is about names, not syntax:
titles are stripped ("Defence Minister Khawaja Asif" -> "Khawaja Asif"), organisations and documents
are told from people ("Turkiye's Foreign Ministry", "a joint statement"), a one-word name is taken to
the full form the article introduced, and pronouns and definite nominals ("the minister") to the
speaker named before them, as news writing introduces a speaker in full and then shortens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.quotes import CUE_WORDS


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, to keep long word lists readable."""
    return frozenset(words.split())


PRONOUNS = {"he": "person", "she": "person", "it": "org", "they": "group", "we": "group", "i": "self"}
STOP_CAPS = wordset(
    """The A An He She It They We I You But And Or In On At As If When While After Before This That
    These Those His Her Their Its Our My So Yet For With From By To Of Still Then There Here What
    Why How Who Now Also Later Earlier Speaking Meanwhile However According Asked Read More"""
)
TITLES = wordset(
    """mr mrs ms dr sen rep gov gen lt col sgt capt rev prof pres maj adm president senator
    representative governor secretary minister ministers prime deputy vice chief foreign defence
    defense interior finance home federal state spokesman spokeswoman spokesperson director chairman
    chairwoman chair ambassador mayor judge justice attorney general commissioner officer official
    leader speaker former acting executive senior press campaign manager adviser advisor candidate
    nominee presidential democratic republican congressman congresswoman councilman ceo founder
    professor analyst lawyer coach king queen prince sheikh pope cardinal bishop information affairs
    national security army police"""
)
ORG_HEADS = wordset(
    """ministry office department committee party campaign commission council court agency association
    union times post news network institute foundation group administration government center centre
    bureau service police army university inc corp co company house senate congress parliament
    assembly board statement report memo letter release website email tweet post ad spokesman
    spokeswoman spokesperson embassy"""
)
DOCUMENTS = wordset(
    """statement report memo letter release website email tweet post ad ruling filing document
    communique declaration order lawsuit complaint"""
)


@dataclass(frozen=True)
class Mention:
    """A speaker mention as written next to a cue: a name, a pronoun or a nominal ("the minister")."""

    start: int
    end: int
    kind: str  # name / pronoun / nominal
    text: str


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


def entity_kind(name: str, mention_kind: str) -> str:
    last = name.split()[-1].lower().strip(".,") if name.split() else ""
    if last in DOCUMENTS or last in ORG_HEADS:
        return "org"
    return "person"


@dataclass
class NameState:
    """The people and organisations named so far in an article, latest last."""

    persons: list[str]
    orgs: list[str]


def resolve(text: str, m: Mention, state: NameState) -> str | None:
    if m.kind == "name":
        name = full_form(text, clean_name(m.text), m.start)
        (state.orgs if entity_kind(name, m.kind) == "org" else state.persons).append(name)
        return name
    if m.kind == "pronoun":
        role = PRONOUNS.get(m.text.lower())
        if role == "person":
            return state.persons[-1] if state.persons else _name_before(text, m.start)
        if role in ("org", "group"):
            return state.orgs[-1] if state.orgs else None
        return None
    # nominal: a document or body speaks for itself; "the minister" is the person named before
    words = m.text.split()
    head = words[-1].lower().strip(".,") if words else ""
    if head in DOCUMENTS or head in ORG_HEADS or any(w.endswith(("’s", "'s")) for w in words[:1]):
        name = clean_name(m.text)
        state.orgs.append(name)
        return name
    if words and words[0].lower() in ("the", "this", "that"):
        return (state.persons[-1] if state.persons else _name_before(text, m.start)) or clean_name(m.text)
    return clean_name(m.text)


_MULTI_NAME = re.compile(r"[A-Z][\w’'-]+(?: (?:[A-Z][\w’'-]+|[A-Z]\.))+")


def full_form(text: str, name: str, at: int) -> str:
    """A one-word name ("Asif") as introduced earlier in the article ("Defence Minister Khawaja Asif")."""
    if " " in name or not name[:1].isupper():
        return name
    pattern = re.compile(r"((?:[A-Z][\w’'-]+ ){1,4})" + re.escape(name) + r"\b")
    for m in pattern.finditer(text, 0, at):
        words = m.group().split()
        while words and words[0] in STOP_CAPS:
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
        while words and words[0] in STOP_CAPS:
            words = words[1:]
        name = clean_name(" ".join(words)) if words else ""
        if len(name.split()) >= 2 and entity_kind(name, "name") == "person":
            best = name
    return best


def note_names(text: str, start: int, end: int, state: NameState) -> None:
    """Names introduced between quotations ("Asif confirmed …"), for later pronouns to refer to."""
    for m in _NAME_SUBJECT.finditer(text, start, end):
        words = m.group(1).split()
        while words and words[0] in STOP_CAPS:
            words = words[1:]
        name = clean_name(" ".join(words))
        if name and entity_kind(name, "name") == "person":
            state.persons.append(name)


_NAME_SUBJECT = re.compile(
    r"((?:(?:[A-Z][\w’'-]*|Mr\.|Mrs\.|Ms\.|Dr\.|Sen\.|Rep\.|Gov\.|Gen\.) ){0,4}[A-Z][\w’'-]+)"
    r" (?:\([^)]{0,20}\) )?(?:on \w+day |also )?"
    r"(?:" + "|".join(sorted(CUE_WORDS - {"according"})) + r"|confirmed|emphasized|stressed|urged|reiterated"
    r"|defended|praised|criticized|accused|rejected|denied)\b"
)
