"""Sentence splitting on news text: offsets, abbreviations, quotations, datelines, speed."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.sentences import split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_offsets_point_into_the_text() -> None:
    text = "  First one here.  Second one,\nthird line here!\n\n“Quoted.” Done now?"
    sentences = split_sentences(text, "a1")
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert all(s.article_id == "a1" for s in sentences)
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)


def test_abbreviations_do_not_end_sentences() -> None:
    text = ("Talks resume on Nov. 6 in Istanbul. Gen. Asim Munir met U.S. officials on Jan. 5. "
            "Mr. Asif, D-Sialkot, said no. Sen. Elizabeth Warren, D-Mass., said yes. "
            "He left at 5 p.m. today.")
    assert texts(text) == ["Talks resume on Nov. 6 in Istanbul.",
                           "Gen. Asim Munir met U.S. officials on Jan. 5.", "Mr. Asif, D-Sialkot, said no.",
                           "Sen. Elizabeth Warren, D-Mass., said yes.",
                           "He left at 5 p.m. today."]


def test_a_quotation_of_several_sentences_stays_whole() -> None:
    text = "“We will win. We will not stop. Never,” he said. Then he left. “Fine,” she replied."
    assert texts(text) == ["“We will win. We will not stop. Never,” he said.", "Then he left.",
                           "“Fine,” she replied."]
    straight = 'He said: "It is good. Very good." The talks end on Friday.'
    assert texts(straight) == ['He said: "It is good. Very good."', "The talks end on Friday."]


def test_an_unbalanced_quote_mark_does_not_swallow_the_line() -> None:
    assert texts("An unbalanced “mark here. Next sentence is separate. And another.") == [
        "An unbalanced “mark here.", "Next sentence is separate.", "And another."]


def test_lines_and_datelines() -> None:
    text = ("Loading weather…\n\nTies can’t normalize: Asif\n\nISLAMABAD: Defence Minister Khawaja Asif "
            "said talks will resume. The next round is in Istanbul.")
    out = texts(text)
    assert out[:2] == ["Loading weather…", "Ties can’t normalize: Asif"]
    assert out[2].startswith("ISLAMABAD: Defence Minister")  # the dateline stays with its sentence
    assert out[3] == "The next round is in Istanbul."


def test_lowercased_multinews_style_text() -> None:
    text = "the u.s. Census bureau said tuesday that 8.2 % of people were poor. It was up from 2016."
    assert texts(text) == ["the u.s. Census bureau said tuesday that 8.2 % of people were poor.",
                           "It was up from 2016."]


def test_seed_articles_split_fast_and_sensibly() -> None:
    articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    split_sentences(articles[0])  # warm up pysbd
    started = time.perf_counter()
    results = [split_sentences(t) for t in articles]
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed  # ~10 ms per article on the project machine
    for text, sentences in zip(articles, results, strict=True):
        assert len(sentences) >= 8
        assert all(text[s.start : s.end] == s.text for s in sentences)
    joined = [s.text for s in results[0]]
    assert any(s.startswith("The next round of negotiations is scheduled for November 6") for s in joined)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .?!\n“”\"'MrU.S0123 ")), max_size=200))
def test_offsets_hold_for_any_text(text: str) -> None:
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text and s.text
    for a, b in itertools.pairwise(sentences):
        assert a.end <= b.start
