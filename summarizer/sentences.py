"""Sentence splitting for news text, with character offsets into the original text.

pysbd does the hard part (abbreviations such as "Nov. 6", "U.S.", "Gen."); on top of it we split on
line breaks first (a paragraph or a stray headline line never shares a sentence with the next line),
map every piece back to its exact offsets, and re-join pieces that pysbd cut inside a quotation, so a
quoted passage of several sentences stays in one `Sentence`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from summarizer.types import Sentence

_LINE = re.compile(r"[^\n]+")
_MAX_MERGE = 6  # a quotation longer than this many pieces is more likely an unbalanced mark
# pysbd sometimes ends a piece right after an abbreviation that clearly continues the sentence
_CONTINUES = re.compile(r"\b(?:[A-Z][a-z]{0,3}|[A-Z](?:\.[A-Z])+|No|Nos|St|Ave|vs|approx|est)\.\s*$")
_LOWER_START = re.compile(r"^\s*[a-z0-9(]")
_CONTINUATION = re.compile(r"^\s*[,;:)\]]")  # a piece never starts a sentence with these


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _quote_balance(text: str) -> int:
    """Open quotation marks left unclosed in `text` (> 0 means we are inside a quotation)."""
    depth = 0
    for ch in text:
        if ch == "“" or ch == "«":
            depth += 1
        elif (ch == "”" or ch == "»") and depth > 0:
            depth -= 1
    straight = text.count('"')
    return depth + (straight % 2)


def _pieces(line: str) -> list[tuple[int, int]]:
    """pysbd segments of one line as (start, end) offsets in the line, whitespace-trimmed. Text pysbd
    changed or left out (it drops a trailing "!!" after "a.") is kept: punctuation alone joins the
    piece before it, anything else is a piece of its own, so the pieces always cover the line.

    The segmenter's processor is called directly: `Segmenter.segment` would map each sentence back to
    the text with a regex compiled for that sentence, a third of the splitting time, and we map them
    with `str.find` anyway (the same pieces on the 92,831 lines of the eval corpora, 40% faster). A
    processor per call also keeps splitting thread-safe (`segment` stores the text on the segmenter).
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for seg in _segmenter().processor(line).process():
        piece = seg.strip()
        if not piece:
            continue
        start = line.find(piece, cursor)
        if start < 0:  # pysbd changed the text (should not happen with clean=False): keep the rest whole
            break
        spans.append((start, start + len(piece)))
        cursor = start + len(piece)
    rest = line[cursor:].strip()
    if rest:
        start = line.index(rest, cursor)
        if spans and not any(ch.isalnum() for ch in rest):
            spans[-1] = (spans[-1][0], start + len(rest))
        else:
            spans.append((start, start + len(rest)))
    return spans


def _merge(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join pieces cut inside a quotation or right after a non-final abbreviation."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        j = i + 1
        if _quote_balance(line[start:end]) > 0:
            # extend to the first piece that closes the quotation; if none does, the mark is unbalanced
            for k in range(i + 1, min(len(spans), i + _MAX_MERGE)):
                if _quote_balance(line[start : spans[k][1]]) == 0:
                    end, j = spans[k][1], k + 1
                    break
        while j < len(spans) and (
                _CONTINUATION.match(line[spans[j][0] : spans[j][1]]) is not None
                or (_CONTINUES.search(line[start:end]) is not None
                    and _LOWER_START.match(line[spans[j][0] : spans[j][1]]) is not None)):
            end, j = spans[j][1], j + 1
        out.append((start, end))
        i = j
    return out


def split_sentences(text: str, article_id: str = "") -> list[Sentence]:
    """The sentences of `text` in order; `text[s.start:s.end] == s.text` for every sentence."""
    sentences: list[Sentence] = []
    for line_match in _LINE.finditer(text):
        line = line_match.group()
        if not line.strip():
            continue
        base = line_match.start()
        for start, end in _merge(line, _pieces(line)):
            sentences.append(Sentence(article_id=article_id, index=len(sentences), start=base + start,
                                      end=base + end, text=line[start:end]))
    return sentences
