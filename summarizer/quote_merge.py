"""One quotation, all its sources: merge the quotes of a story's articles and their speakers' aliases.

Outlets copy the same statement with different marks, punctuation, case and trimming, or keep only
a fragment; compared as word sequences these are one quote, shown once in its fullest form. A
different wording by the same speaker with most content words in common (often another translation)
is a paraphrase of it and is attached rather than listed again. Speakers are merged when one name's
words are contained in another's ("Asif" in "Khawaja Muhammad Asif"), unless that is ambiguous.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from summarizer.types import Quote, QuoteMention


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, to keep long word lists readable."""
    return frozenset(words.split())


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_STOP = _wordset(
    """the a an of to and or in on at for with by from is are was were be been will would it its this
    that these those we our they their he she his her i you not but as if so do does did has have
    had"""
)
PARAPHRASE_OVERLAP = 0.6  # share of the shorter quote's content words found in the other one


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in _WORD.findall(text))


def _content(tokens: Sequence[str]) -> set[str]:
    return {t[:6] for t in tokens if t not in _STOP and len(t) > 2}  # crude stem: first six letters


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return n > 0 and any(big[i : i + n] == small for i in range(len(big) - n + 1))


def quote_id(text: str) -> str:
    """Stable id of a quotation: a hash of its words, blind to marks, punctuation and case."""
    return hashlib.sha1(" ".join(_tokens(text)).encode("utf-8")).hexdigest()[:16]


def speaker_aliases(names: Sequence[str]) -> dict[str, str]:
    """Each name -> its display form: the fullest name whose words contain it, if that is unique."""
    words = {n: n.split() for n in set(names)}  # names come title-free from attribution
    out: dict[str, str] = {}
    for name, ws in words.items():
        longer = [
            other
            for other, ows in words.items()
            if other != name and len(ows) > len(ws) and ws[-1] == ows[-1] and set(ws) <= set(ows)
        ]
        # keep only the maximal forms: "Khawaja Asif" and "Khawaja Muhammad Asif" are one chain
        maximal = [o for o in longer if not any(set(words[o]) < set(words[p]) for p in longer)]
        out[name] = " ".join(words[maximal[0]]) if len(maximal) == 1 else " ".join(ws)
    return out


@dataclass
class _Group:
    tokens: tuple[str, ...]
    text: str
    speaker: str | None
    sources: list[str] = field(default_factory=list)
    paraphrases: list[str] = field(default_factory=list)
    merged: set[str] = field(default_factory=set)  # quote ids of every wording folded into the group


def _add_source(group: _Group, article_id: str) -> None:
    if article_id not in group.sources:
        group.sources.append(article_id)


def merge_quotes(mentions: Mapping[str, Sequence[QuoteMention]]) -> list[Quote]:
    """Deduplicated quotes of a story (article id -> its mentions), in order of first appearance."""
    names = [m.speaker for ms in mentions.values() for m in ms if m.speaker]
    alias = speaker_aliases(names)
    items = [(aid, m, _tokens(m.text)) for aid, ms in mentions.items() for m in ms if _tokens(m.text)]
    # fullest forms first, so fragments fold into them; ties by words, so that a fragment two
    # quotes contain joins the same one whatever the order of the articles
    order = sorted(range(len(items)), key=lambda i: (-len(items[i][2]), items[i][2], i))
    groups: list[_Group] = []
    first_seen: dict[int, int] = {}
    for i in order:
        aid, m, toks = items[i]
        speaker = alias.get(m.speaker, m.speaker) if m.speaker else None
        home = next((g for g in groups if _contains(g.tokens, toks)), None)
        if home is None:
            home = next((g for g in groups if _paraphrase(g, toks, speaker)), None)
            if home is not None and m.text not in home.paraphrases and m.text != home.text:
                home.paraphrases.append(m.text)
        if home is None:
            home = _Group(toks, m.text, speaker)
            groups.append(home)
        elif home.speaker is None:
            home.speaker = speaker
        _add_source(home, aid)
        home.merged.add(quote_id(m.text))
        first_seen.setdefault(id(home), i)
        first_seen[id(home)] = min(first_seen[id(home)], i)
    groups.sort(key=lambda g: first_seen[id(g)])
    rank = {aid: n for n, aid in enumerate(mentions)}
    for g in groups:
        g.sources.sort(key=rank.__getitem__)
    return [
        Quote(id=quote_id(g.text), text=display_text(g.text), speaker=g.speaker, sources=tuple(g.sources),
              also_reported_as=tuple(display_text(p) for p in g.paraphrases),
              merged_ids=tuple(sorted(g.merged - {quote_id(g.text)})))
        for g in groups
    ]


def display_text(text: str) -> str:
    """The quotation as a reader sees it on its own: the comma or colon that handed over to the
    attribution ("…completely," he remarked) is the writer's, not the speaker's."""
    return text.rstrip().rstrip(",;:").rstrip()


def _paraphrase(group: _Group, tokens: tuple[str, ...], speaker: str | None) -> bool:
    """Same speaker and most content words shared: another wording of the same statement."""
    if speaker is None or group.speaker != speaker:
        return False
    a, b = _content(group.tokens), _content(tokens)
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= PARAPHRASE_OVERLAP
