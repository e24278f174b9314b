"""Property-based fuzzing of the text core: cleaning, sentences, quotes, attribution, quote merging.

These complement the example tests (and the smaller property tests in test_cleaning/test_sentences/
test_quotes) with news-shaped random text: names, cue words, every quote mark style, unbalanced and
mixed, markup and control characters. The number of examples comes from the hypothesis profile
(tests/conftest.py: "ci" by default, HYPOTHESIS_PROFILE=deep for long local runs).
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from summarizer.attribution import attribute
from summarizer.cleaning import clean_text
from summarizer.quote_merge import merge_quotes, quote_id
from summarizer.quotes import extract_quotes, find_quotations
from summarizer.sentences import split_sentences
from summarizer.types import QuoteMention

# --- strategies ---------------------------------------------------------------------------------------

_MARKS = ["“", "”", '"', "«", "»", "„", "‘", "’", "'", "''", "‟"]
_WORDS = [
    "Khawaja Asif",
    "Mr. Smith",
    "Sen. Ted Cruz",
    "the minister",
    "the ministry",
    "he",
    "she",
    "they",
    "said",
    "says",
    "told",
    "added",
    "according to",
    "saying",
    "that",
    "The",
    "We will",
    "win",
    "the talks",
    "are over",
    "U.S.",
    "Gen.",
    "Nov. 6",
    "on Friday",
    "Pakistan’s Defence Minister",
    "a statement",
    "It",
    "ISLAMABAD:",
    "(Reuters) -",
    '12"',
    "rock ’n’ roll",
    "don't",
    "i",
    "A.",
]
_PUNCT = [" ", " ", " ", ",", ".", ":", ";", "!", "?", "—", "-", "(", ")", "…", "\n", "\n\n", "\u00a0"]
_MARKUP = [
    "**",
    "__",
    "~~",
    "*",
    "_",
    "<p>",
    "</p>",
    "<br>",
    "<b>",
    "</b>",
    "<",
    ">",
    "[",
    "]",
    "(",
    ")",
    "](http://a.example/x)",
    "&amp;",
    "&#8217;",
    "&",
    "#",
    "> ",
    "- ",
    "`",
    "\\",
    "<script>x</script>",
]
_CONTROL = [
    "\x00",
    "\x07",
    "\x0b",
    "\x0c",
    "\r",
    "\r\n",
    "\t",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200d",
    "\u00ad",
    "\ufeff",
    "\ufffe",
    "\u202e",
]

# arbitrary unicode, surrogates excluded (they cannot come out of a decoder)
_ANY = st.text(st.characters(codec="utf-8"), max_size=200)


def _joined(*pools: list[str], size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(
        st.one_of(st.sampled_from([p for pool in pools for p in pool]), st.text(max_size=4)), max_size=size
    ).map("".join)


NEWSY = st.one_of(_ANY, _joined(_WORDS, _MARKS, _PUNCT), _joined(_WORDS, _MARKS, _PUNCT, _CONTROL))
# whole lines of the kinds the cleaning rules judge: chrome, datelines, headlines, dates, teasers, prose
_LINES = [
    "Share this article",
    "Advertisement",
    "Related stories",
    "Read more: https://x.example/a?utm_source=1",
    "February 6, 2026",
    "By Jane Doe",
    "ISLAMABAD: ",
    "KABUL (Reuters) - ",
    "Mosque blast: death toll rises to 31",
    "Web desk: A blast has…",
    "Photo: AFP",
    "⏱ 3 minute read",
    "Latest News and Analysis from the Region",
    "# Talks resume in Istanbul",
    "> quoted",
    "- item",
    "The city council voted on Tuesday to expand the harbour tram line by four stations.",
    "“We will win,” Asif said on Friday, adding that the talks would resume next week.",
    "Construction is expected to begin next spring and to last two years, officials said.",
]
_DOCUMENT = st.lists(
    st.tuples(st.sampled_from(_LINES) | _ANY.map(lambda t: t[:30]), st.sampled_from(["\n", "\n\n", " "])),
    max_size=14,
).map(lambda parts: "".join(line + sep for line, sep in parts))
MESSY = st.one_of(_ANY, _joined(_WORDS, _PUNCT, _MARKUP, _CONTROL, _MARKS, size=60), _DOCUMENT)

# --- cleaning -----------------------------------------------------------------------------------------

_LEFT_MARKUP = re.compile(r"\*\*|~~|</?(?:p|br|b|div|span)\b[^<>\n]*>")
_INVISIBLE = set(
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


@given(
    raw=MESSY,
    fmt=st.sampled_from(["text", "markdown", "html"]),
    title=st.one_of(st.none(), _ANY.map(lambda t: t[:40])),
)
@example(raw="*_*_*_*_*___*_*_*_*_*", fmt="text", title=None)
@example(raw="<p<p<p<p<p<p<p>>>>>>>x", fmt="text", title=None)
@example(raw="\x80", fmt="text", title=None)
@example(raw="", fmt="text", title="0\r0")
def test_cleaning_is_a_fixed_point_without_controls_or_markup(raw: str, fmt: str, title: str | None) -> None:
    cleaned = clean_text(raw, title=title, fmt=fmt)  # type: ignore[arg-type]
    again = clean_text(cleaned.text)
    assert again.text == cleaned.text
    for ch in cleaned.text:  # one kind of newline, no control or invisible characters
        assert ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _INVISIBLE), repr(ch)
    assert _LEFT_MARKUP.search(cleaned.text) is None
    assert all(line == line.strip() and line for line in cleaned.text.split("\n\n")) or not cleaned.text
    for field in (cleaned.title, cleaned.place, cleaned.outlet):
        assert field is None or (field.strip() and "\n" not in field)


# --- sentences ----------------------------------------------------------------------------------------


@given(NEWSY, st.text(max_size=5))
@example(text=":.!!", article_id="")  # pysbd dropped the trailing "!!"
def test_sentences_slice_back_in_order_and_cover_the_text(text: str, article_id: str) -> None:
    sentences = split_sentences(text, article_id)
    for n, s in enumerate(sentences):
        assert s.index == n and s.article_id == article_id
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.text.strip() and s.text == s.text.strip() and "\n" not in s.text
    for a, b in itertools.pairwise(sentences):
        assert a.end <= b.start
    # nothing but whitespace falls between sentences
    covered = "".join(s.text for s in sentences)
    assert "".join(covered.split()) == "".join(text.split())


# --- quotes and attribution ---------------------------------------------------------------------------


def _check_mentions(text: str, mentions: list[QuoteMention]) -> None:
    previous_end = -1
    for q in mentions:
        assert q.start == q.spans[0][0] and q.end == q.spans[-1][1]
        assert q.text == " ".join(text[s:e] for s, e in q.spans)
        for s, e in q.spans:  # ordered, non-empty, trimmed pieces inside the text
            assert previous_end <= s < e <= len(text)
            assert text[s:e] == text[s:e].strip()
            previous_end = e
        if q.speaker_mention is not None:
            a, b = q.speaker_mention
            assert 0 <= a < b <= len(text) and text[a:b].strip()
        if q.speaker is not None:
            # the speaker is read from the text: every word of the name is written somewhere in it
            assert q.speaker.strip() == q.speaker and q.speaker
            for word in q.speaker.split():
                assert word in text, (word, q.speaker)


@given(NEWSY)
@example("“a b c d” Mr. “a b c d")
@example("„Wir schaffen das ganz“ « sagte » sie ” '' \" ‘ ’")
def test_quotes_never_raise_and_spans_and_speakers_come_from_the_text(text: str) -> None:
    _check_mentions(text, extract_quotes(text))


@given(NEWSY, st.integers(min_value=1, max_value=6))
def test_quotations_and_speakers_line_up(text: str, min_words: int) -> None:
    quotations = find_quotations(text, min_words=min_words)
    speakers = attribute(text, quotations)
    assert len(speakers) == len(quotations)
    for q, spk in zip(quotations, speakers, strict=True):
        assert len(q.spans) == len(q.marks)
        for (s, e), (o, c) in zip(q.spans, q.marks, strict=True):
            assert o < s < e <= c <= len(text)  # the opening mark comes before the piece
        if spk is not None:
            assert 0 <= spk.start < spk.end <= len(text)


# --- quote merging ------------------------------------------------------------------------------------


_SAYINGS = st.lists(
    st.sampled_from(
        [
            "we",
            "will",
            "win",
            "the",
            "talks",
            "are",
            "over",
            "Peace",
            "now",
            "peace",
            "NOW",
            "’s",
            "it's",
            "12",
            "a",
        ]
    ),
    max_size=8,
).map(" ".join)


def _mention(text: str, speaker: str | None = None) -> QuoteMention:
    end = max(1, len(text))
    return QuoteMention(text=text, start=0, end=end, spans=((0, end),), speaker=speaker, speaker_mention=None)


_MENTION = st.builds(
    _mention,
    st.one_of(_SAYINGS, _ANY.map(lambda t: t[:60])),
    st.one_of(
        st.none(),
        st.sampled_from(
            [
                "Asif",
                "Khawaja Asif",
                "Khawaja Muhammad Asif",
                "Muhammad Asif",
                "Smith",
                "Jane Smith",
                "John Smith",
                "",
            ]
        ),
    ),
)
_STORY = st.dictionaries(
    st.sampled_from(["a1", "a2", "a3", "a4"]), st.lists(_MENTION, max_size=5), max_size=4
)


@given(_STORY, st.randoms(use_true_random=False))
@example(
    story={
        "a1": [_mention("we"), _mention("we we we we we we we will")],
        "a2": [_mention("we we we we we we we we")],
    },
    rnd=random.Random(1),
)
def test_merge_never_raises_and_does_not_depend_on_article_order(
    story: dict[str, list[QuoteMention]], rnd: random.Random
) -> None:
    merged = merge_quotes(story)
    all_sources = {aid for aid, ms in story.items() for m in ms if quote_id(m.text) != quote_id("")}
    assert {s for q in merged for s in q.sources} == all_sources
    assert len({q.id for q in merged}) == len(merged)  # one quote listed once
    for q in merged:
        assert list(q.sources) == [a for a in story if a in q.sources]  # sources in article order
    keys = list(story)
    rnd.shuffle(keys)
    shuffled = merge_quotes({k: story[k] for k in keys})
    said_by: dict[str, set[str | None]] = {}
    for m in (m for ms in story.values() for m in ms):
        said_by.setdefault(quote_id(m.text), set()).add(m.speaker)
    if all(len(speakers) == 1 for speakers in said_by.values()):  # articles that disagree on who said
        # the same words may credit either speaker first; otherwise the order of articles is irrelevant
        assert {(q.id, q.speaker, frozenset(q.sources)) for q in shuffled} == {
            (q.id, q.speaker, frozenset(q.sources)) for q in merged
        }
