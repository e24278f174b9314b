"""Quote extraction: every mark style, grouping, partial quotes, offsets, robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.quotes import extract_quotes
from tests.conftest import SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def _texts(text: str) -> list[str]:
    return [q.text for q in extract_quotes(text)]


def _check_offsets(text: str) -> None:
    for q in extract_quotes(text):
        assert 0 <= q.start < q.end <= len(text)
        assert q.start == q.spans[0][0] and q.end == q.spans[-1][1]
        assert q.text == " ".join(text[s:e] for s, e in q.spans)
        for s, e in q.spans:
            assert text[s:e] == text[s:e].strip() and text[s] not in "\"“”«»„"
        if q.speaker_mention:
            a, b = q.speaker_mention
            assert 0 <= a < b <= len(text)


def test_curly_straight_and_nyt_marks() -> None:
    text = ('“We will win this fight together,” Smith said.\n'
            '"The plan is working very well," Jones said.\n'
            "''It is a good thing for people,'' Mr. Brown said.")
    assert _texts(text) == ["We will win this fight together,", "The plan is working very well,",
                            "It is a good thing for people,"]
    _check_offsets(text)


def test_interrupted_quote_is_one_quote_with_two_spans() -> None:
    text = "“We are ready,” he said, “to sign the agreement next week.”"
    (q,) = extract_quotes(text)
    assert [text[s:e] for s, e in q.spans] == ["We are ready,", "to sign the agreement next week."]
    assert q.text == "We are ready, to sign the agreement next week."


def test_multi_paragraph_quote_continues_at_opening_mark() -> None:
    text = ('Smith said: "The first paragraph of the statement is here.\n\n'
            '"And the second paragraph follows it closely."\n\nOther news.')
    (q,) = extract_quotes(text)
    assert len(q.spans) == 2
    assert text[q.spans[1][0]:q.spans[1][1]] == "And the second paragraph follows it closely."


def test_nested_single_quotes_guillemets_and_german_marks() -> None:
    text = ("“He told me, ‘leave now,’ and I did so at once,” she said.\n"
            "«Nous allons gagner cette bataille ensemble», a dit le ministre.\n"
            "„Wir schaffen das ganz bestimmt“, sagte sie.")
    assert _texts(text) == ["He told me, ‘leave now,’ and I did so at once,",
                            "Nous allons gagner cette bataille ensemble", "Wir schaffen das ganz bestimmt"]


def test_fragments_scare_quotes_and_partial_quotes_are_not_listed() -> None:
    text = ('He said Pakistan responded “decisively” to the attacks.\n'
            'Trump called the judge a "hater of Donald Trump" on Friday.\n'
            'Asif said the talks were "a waste of time and effort" and left.\n'
            'The minister said that “the talks have failed” yesterday.')
    assert _texts(text) == []


def test_unbalanced_marks_do_not_crash() -> None:
    for text in ['"', '“', '”', "''", 'a " b “ c ” d " e', '“open quote never closed at all here',
                 '\n\n"\n"\n', "«»„“", '""""']:
        _check_offsets(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab H.,:;\n\"“”'‘’«»„ said he X")), max_size=120))
def test_arbitrary_text_never_raises_and_offsets_stay_valid(text: str) -> None:
    _check_offsets(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_raises(text: str) -> None:
    _check_offsets(text)


def test_seed_quotes_are_found(seed_texts: dict[str, str]) -> None:
    found = [q.text for t in seed_texts.values() for q in extract_quotes(t)]
    assert any(t.startswith("Peaceful ties with Afghanistan") for t in found)
    assert any(t.startswith("We have consistently provided evidence") for t in found)
    assert any(t.startswith("neither side will undertake") for t in found)
    assert not any(t == "decisively" for t in found)
    for t in seed_texts.values():
        _check_offsets(t)


def test_single_quoted_direct_speech_next_to_its_cue() -> None:
    text = ("‘We will not back down from this fight,’ the minister said on Tuesday.\n"
            "Smith said: 'The plan is working very well for everyone.'\n"
            "‘We are ready,’ he said, ‘to sign the agreement next week.’")
    quotes = extract_quotes(text)
    assert [q.text for q in quotes] == ["We will not back down from this fight,",
                                        "The plan is working very well for everyone.",
                                        "We are ready, to sign the agreement next week."]
    assert quotes[1].speaker == "Smith" and len(quotes[2].spans) == 2
    _check_offsets(text)


def test_apostrophes_and_uncued_single_quotes_are_not_quotes() -> None:
    text = ("I don't think Afghanistan's leaders liked the '90s or rock 'n' roll, and they won't say so.\n"
            "The fans' view of the 'best years of our lives' was shared.\n"
            "The report called it a ‘deeply flawed and dangerous piece of work’ in its summary.\n"
            "Sanders: ‘We Will Win This Fight Together’")
    assert _texts(text) == []


def test_single_quotes_inside_double_quotes_stay_nested() -> None:
    text = ("“He told me, ‘leave now and never come back,’ and I did so at once,” she said.\n"
            "She recalled “meeting him, and he said, ‘I want you to know how much we appreciate it.’ "
            "Then “nothing more happened for a long while,” she said.")
    # the second line's “ is restarted by the next one, yet the single marks after it are still inside
    assert _texts(text) == ["He told me, ‘leave now and never come back,’ and I did so at once,"]
