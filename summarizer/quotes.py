"""Direct quotations in news text: pair the quote marks, group the pieces, drop partial quotes.

A single pass over the marks of each paragraph (a small state machine, no model) keeps extraction
well above the speed the ingest path needs. The hard part is precision, not recall: most text
between quote marks in news is *not* a direct quote but the quoted fragment of a paraphrase
(`called the judge a "hater of Donald Trump"`) or a scare quote, and those are told apart by
what stands around the marks, not by what is inside them. Speakers come from
`summarizer.attribution`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from summarizer.types import QuoteMention


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one string, to keep long word lists readable."""
    return frozenset(words.split())

_MIN_CLAUSE = 10  # a quoted clause after "that" this long is reported speech verbatim
MIN_WORDS = 4  # "decisively", "under all circumstances": fragments, not quotations

# Double quote marks. `''` is the New York Times' mark for both ends; „ opens a German-style quote
# that “ closes; « » are guillemets. Single quotes are never primary marks: inside a quotation
# they are nested quotes, elsewhere mostly apostrophes.
_MARK = re.compile("''|[\"“”«»„‟]")
_OPENERS = frozenset("“«„‟")
_CLOSERS = frozenset("”»")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PARA = re.compile(r"[^\n]+")
_STRIP = " \t\u00a0\r"
_NEXT_WORD = re.compile(r"[ \u00a0]+([a-z][\w’']*)")
_TERMINAL = ".,!?…;:—–-)]"

# Reporting verbs: a quotation right after one of these without a comma ("said “the talks…”")
# is a direct quote only when it starts like a sentence.
CUE_WORDS = _wordset(
    """said says say told tells added adds asked asks stated states explained explains wrote writes
    tweeted tweets noted notes continued continues declared declares insisted insists argued argues
    claimed claims recalled recalls replied replies responded responds warned warns announced
    announces acknowledged acknowledges complained complains predicted predicts joked jokes posted
    posts urged urges admitted admits suggested suggests observed observes remarked remarks
    emphasized emphasised stressed asserted asserts concluded reiterated testified read reads saying
    adding telling writing asking noting warning declaring insisting arguing explaining stating
    tweeting replying responding quipped quips countered conceded mused cautioned shouted yelled
    wondered confirmed affirmed reported scoffed gloated exhorted interjected assured blurted
    vowed vows gushed fumed emailed texted exclaimed retorted boasted boasts lamented laments
    marveled marvelled snapped cracked elaborated echoed recounted contended pleaded sang sings
    reports
    according"""
)
# Words that may follow a closing mark without making the quotation part of a longer sentence.
_AFTER_OK = CUE_WORDS | _wordset(
    """he she they we i it you the a an his her their its this that who which one another"""
)


_SINGLE = re.compile("[‘’']")
_SINGLE_OPEN_AFTER = frozenset("([{—–-/")
_SINGLE_OPENER = re.compile(r"(?:^|(?<=[\s(\[{—–/-]))[‘'](?=[^\W_])", re.MULTILINE)
_CUES = "|".join(sorted(CUE_WORDS - {"according"}))
# a reporting verb ends the text before the mark ("said:", "said Smith,", "Smith said,"); a bare colon
# does not count here: "Name: ‘Words’" is the British headline style, a title rather than reported text
_SINGLE_CUE_BEFORE = re.compile(r"\b(?:" + _CUES + r")\b(?:\s+[\w.’'-]+){0,4}\s*[,:]$", re.IGNORECASE)
# or the attribution follows the closing mark ("‘…,’ he said", "‘…’ said the minister")
_SINGLE_CUE_AFTER = re.compile(r"[ \u00a0]*[,—–-]?[ \u00a0]*(?:[^\W\d_][\w.’'-]*[ \u00a0]+){0,4}?(?:" + _CUES
                               + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quotation:
    """A quotation before attribution: its pieces and, per piece, where its marks are.

    `marks[i]` is (offset of the opening mark, offset just after the closing mark); a piece left
    open at the end of its paragraph has its paragraph end there.
    """

    spans: tuple[tuple[int, int], ...]
    marks: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class _Piece:
    open_at: int  # offset of the opening mark
    start: int  # first character inside the marks
    end: int  # just after the last character inside the marks
    close_end: int  # just after the closing mark (== end when the piece ran to the paragraph end)
    closed: bool


def _pieces(text: str) -> list[_Piece]:
    """Every stretch between an opening mark and its closing mark, paragraph by paragraph."""
    out: list[_Piece] = []
    for para in _PARA.finditer(text):
        p_start, p_end = para.span()
        open_mark: re.Match[str] | None = None
        for m in _MARK.finditer(text, p_start, p_end):
            mark = m.group()
            if open_mark is None:
                if mark in _CLOSERS:
                    continue  # a stray closing mark
                if mark in "\"''" and _looks_closing(text, m, p_start, p_end):
                    continue  # 12" or a stray straight mark glued to the word before it
                open_mark = m
                continue
            opener = open_mark.group()
            # ” and » close anything, straight marks close what is open, “ closes only „ (German)
            closes = mark in _CLOSERS or mark in ('"', "''") or (mark == "“" and opener == "„")
            if closes:
                out.append(_Piece(open_mark.start(), open_mark.end(), m.start(), m.end(), True))
                open_mark = None
            else:
                open_mark = m  # a second opening mark restarts the quotation
        if open_mark is not None:
            out.append(_Piece(open_mark.start(), open_mark.end(), p_end, p_end, False))
    return out


def _looks_closing(text: str, m: re.Match[str], p_start: int, p_end: int) -> bool:
    """A straight mark glued to a word and followed by space or the paragraph end cannot open."""
    before = text[m.start() - 1] if m.start() > p_start else " "
    after = text[m.end()] if m.end() < p_end else " "
    return before.isalnum() and (after.isspace() or after in ".,;:!?")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _STRIP):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _STRIP):
        end -= 1
    return start, end


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_BETWEEN_CUE = re.compile(
    r"^[\s,.;:—–-]*(?:[^\W\d_][\w.’'-]*\s+){0,8}?(?:" + "|".join(sorted(CUE_WORDS)) + r")\b[^\"“”«»„]{0,80}$",
    re.IGNORECASE,
)


def _interrupts(text: str, a: _Piece, b: _Piece) -> bool:
    """Whether the text between two pieces of one paragraph is only their attribution."""
    between = text[a.close_end : b.open_at]
    if not a.closed or "\n" in between or len(_words(between)) > 12:
        return False
    inner_end = text[a.start : a.end].rstrip()
    if inner_end and inner_end[-1] in "?!" and between.strip()[:1].isupper():
        return False  # '“Why?” Trump asked the crowd. “Because …”' still groups below
    tail = between.rstrip(_STRIP)
    ends_clause = tail[-1:] in ",.:;—–" or (_words(tail) or [""])[-1].lower() in CUE_WORDS
    return ends_clause and bool(_BETWEEN_CUE.match(between)) and " that " not in f" {between} "


def _attributed_apart(text: str, a: _Piece, b: _Piece) -> bool:
    """'“A,” said X. “B,” added Y': the attribution between them ends its sentence and the second
    piece has one of its own, so they are two quotations (perhaps of two speakers)."""
    between = text[a.close_end : b.open_at].rstrip(_STRIP)
    return between.endswith(".") and b.closed and _SINGLE_CUE_AFTER.match(text, b.close_end) is not None


def _group(text: str, pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces that make one quotation: interrupted by their attribution, or running over paragraphs."""
    groups: list[list[_Piece]] = []
    for piece in pieces:
        if groups:
            last = groups[-1][-1]
            gap = text[last.end : piece.open_at]
            continues = not last.closed and gap.strip() == ""  # paragraph-opening mark continues it
            if continues or (_interrupts(text, last, piece) and not _attributed_apart(text, last, piece)):
                groups[-1].append(piece)
                continue
        groups.append([piece])
    return groups


def _prefix(text: str, at: int) -> str:
    """The text of the paragraph before offset `at`, right-stripped."""
    line_start = text.rfind("\n", 0, at) + 1
    return text[line_start:at].rstrip(_STRIP)


def _first_word_is_upper(inner: str) -> bool:
    for ch in inner:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit() or ch in "[(…":
            return True
    return False


def opens_partial(text: str, piece: _Piece) -> bool:
    """Whether a quotation opened here continues the writer's own sentence.

    A direct quotation starts a sentence or follows a comma, a colon or a reporting verb. One
    opened right after an ordinary word ("called the judge a “…”", "said that “…”"), or in lower
    case after a comma, is the quoted fragment of a paraphrase.
    """
    upper = _first_word_is_upper(text[piece.start : piece.end])
    before = _prefix(text, piece.open_at)
    if not before:
        return False
    words = _words(before[-30:])
    last_word = words[-1].lower() if words else ""
    inner = text[piece.start : piece.end].rstrip()
    if before[-1].isalnum():
        if last_word == "that":  # "agreed that “neither side will …”": a whole clause is kept
            return not (inner[-1:] in ".!?" and len(_words(inner)) >= _MIN_CLAUSE)
        if last_word not in CUE_WORDS or last_word == "according":
            return True
        return not upper and inner[-1:] not in ".,!?"  # said “everything hinges on this,”
    if before[-1] == ",":
        return not upper and last_word not in CUE_WORDS
    return before[-1] in "(/" and not upper


def closes_partial(text: str, piece: _Piece) -> bool:
    """Whether the sentence runs on past the closing mark (“a waste of time” and ...)."""
    if not piece.closed:
        return False
    tail = text[piece.start : piece.end].rstrip()
    nxt = _NEXT_WORD.match(text, piece.close_end)
    return bool(tail and tail[-1] not in _TERMINAL and nxt and nxt.group(1).lower() not in _AFTER_OK)


def _is_title(text: str) -> bool:
    """Title Case without a sentence's punctuation: a book, a film, a headline, not speech."""
    words = [w for w in _words(text) if len(w) > 3]
    if len(words) < 2 or text.rstrip()[-1:] in ".!?,":
        return False
    return sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _single_pieces(text: str, doubles: list[_Piece]) -> list[_Piece]:
    """British-style quotations in single marks, outside every double-quoted stretch (inside one they
    are nested quotes). ’ and ' are apostrophes far more often than marks, so a mark opens only after a
    space or an opening bracket or dash and before a letter or digit, and closes only after a
    non-space and before no letter or digit: "don't", "Afghanistan's", "rock 'n' roll" never pair
    into a quotation of four words, and a later opening-looking mark ('90s ... 'the) restarts."""
    if not _SINGLE_OPENER.search(text):
        return []  # most articles: every single mark is an apostrophe
    taken = [(p.open_at, p.close_end) for p in doubles]
    marks = list(_MARK.finditer(text))  # “… “…: the first stretch is inside marks too, though unpaired
    taken += [(a.start(), b.start()) for a, b in pairwise(marks)
              if a.group() in _OPENERS and "\n" not in text[a.start():b.start()]]
    out: list[_Piece] = []
    for para in _PARA.finditer(text):
        p_start, p_end = para.span()
        open_mark: re.Match[str] | None = None
        for m in _SINGLE.finditer(text, p_start, p_end):
            if any(a <= m.start() < b for a, b in taken):
                open_mark = None
                continue
            before = text[m.start() - 1] if m.start() > p_start else " "
            after = text[m.end()] if m.end() < p_end else " "
            opens_here = before.isspace() or before in _SINGLE_OPEN_AFTER
            can_open = m.group() != "’" and opens_here and after.isalnum()
            can_close = m.group() != "‘" and not before.isspace() and not after.isalnum()
            if can_close and open_mark is not None:
                piece = _Piece(open_mark.start(), open_mark.end(), m.start(), m.end(), True)
                if not any(piece.open_at < a < piece.close_end for a, _ in taken):
                    out.append(piece)
                open_mark = None
            elif can_open:
                open_mark = m
    return out


def _cued(text: str, group: list[_Piece]) -> bool:
    """A single-quoted stretch is speech only next to its attribution (`said: ‘…’`, `‘…,’ he said`)."""
    if len(group) > 1:  # pieces are grouped only when an attribution interrupts them
        return True
    before = _prefix(text, group[0].open_at)[-80:]
    return bool(_SINGLE_CUE_BEFORE.search(before) or _SINGLE_CUE_AFTER.match(text, group[-1].close_end))


def _quotation(text: str, found: list[_Piece], min_words: int) -> Quotation | None:
    """The quotation a group of pieces makes, or None for a fragment, a partial quote or a title."""
    group = [p for p in found if _trim(text, p.start, p.end)[0] < _trim(text, p.start, p.end)[1]]
    # a paraphrase's fragment does not take the pieces it was grouped with along
    while group and opens_partial(text, group[0]):
        group = group[1:]
    while group and closes_partial(text, group[-1]):
        group = group[:-1]
    if not group:
        return None
    spans = [_trim(text, p.start, p.end) for p in group]
    marks = [(p.open_at, p.close_end) for p in group]
    joined = " ".join(text[s:e] for s, e in spans)
    if len(_words(joined)) < min_words or _is_title(joined):
        return None
    return Quotation(tuple(spans), tuple(marks))


def find_quotations(text: str, min_words: int = MIN_WORDS) -> list[Quotation]:
    """Direct quotations of `text` (no speakers), in text order; never raises on unbalanced marks."""
    doubles = _pieces(text)
    singles = [g for g in _group(text, _single_pieces(text, doubles)) if _cued(text, g)]
    groups = sorted(_group(text, doubles) + singles, key=lambda g: g[0].open_at)
    return [q for g in groups if (q := _quotation(text, g, min_words)) is not None]


def extract_quotes(text: str) -> list[QuoteMention]:
    """Direct quotations of four words or more with their speakers; offsets index `text` as given."""
    from summarizer.attribution import attribute

    quotations = find_quotations(text)
    speakers = attribute(text, quotations)
    return [
        QuoteMention(
            text=" ".join(text[s:e] for s, e in q.spans),
            start=q.start,
            end=q.end,
            spans=q.spans,
            speaker=spk.name if spk else None,
            speaker_mention=(spk.start, spk.end) if spk else None,
        )
        for q, spk in zip(quotations, speakers, strict=True)
    ]
