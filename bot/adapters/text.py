"""Splitting rendered messages under a platform's size limit without ever cutting through markup.

A message is a list of paragraphs and a paragraph a list of atoms: small pieces of already-escaped
markup that are balanced on their own (a sentence, a link). Chunks break between paragraphs when they
can, between atoms (sentences) when they must, so a tag is never opened in one message and closed in
the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=\S)")


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_sentences(text: str) -> list[str]:
    """Sentence-ish pieces of plain text (boundaries after . ! ? …), whitespace-normalised."""
    text = " ".join(text.split())
    if not text:
        return []
    pieces, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        pieces.append(text[start:m.end()].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _hard_split(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split plain text on spaces (or, for one giant word, characters) so every piece fits."""
    out: list[str] = []
    cur = ""
    for word in text.split(" "):
        cand = f"{cur} {word}" if cur else word
        if fits(cand):
            cur = cand
            continue
        if cur:
            out.append(cur)
        cur = ""
        while word and not fits(word):
            cut = len(word)
            while cut > 1 and not fits(word[:cut]):
                cut = max(1, cut // 2)
            out.append(word[:cut])
            word = word[cut:]
        cur = word
    if cur:
        out.append(cur)
    return out


def atoms(text: str, render: Callable[[str], str], limit: int,
          measure: Callable[[str], int] = len) -> list[str]:
    """Render plain `text` sentence by sentence; a sentence too long for `limit` is cut on spaces."""
    out = []
    for sentence in split_sentences(text):
        if measure(render(sentence)) <= limit:
            out.append(render(sentence))
        else:
            out += [render(p) for p in _hard_split(sentence, lambda s: measure(render(s)) <= limit)]
    return out


def pack(paragraphs: Sequence[Sequence[str]], limit: int, measure: Callable[[str], int] = len,
         para_sep: str = "\n\n", atom_sep: str = " ") -> list[str]:
    """Greedily fill chunks of at most `limit` with whole paragraphs, else whole atoms.

    Every atom must fit on its own (`atoms` guarantees it); an atom that does not is a bug upstream
    and raises rather than sending a message the platform would reject.
    """
    chunks: list[str] = []
    cur = ""
    for para in paragraphs:
        if not para:
            continue
        text = atom_sep.join(para)
        cand = f"{cur}{para_sep}{text}" if cur else text
        if measure(cand) <= limit:
            cur = cand
            continue
        if cur:
            chunks.append(cur)
            cur = ""
        if measure(text) <= limit:
            cur = text
            continue
        for atom in para:
            if measure(atom) > limit:
                raise ValueError(f"an atom of {measure(atom)} exceeds the limit of {limit}")
            cand = f"{cur}{atom_sep}{atom}" if cur else atom
            if measure(cand) <= limit:
                cur = cand
            else:
                chunks.append(cur)
                cur = atom
    if cur:
        chunks.append(cur)
    return chunks
