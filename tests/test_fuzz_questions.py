"""Property-based fuzzing of /ask's question analysis and answering: a question is user input.

Random question-shaped text (wh-words, names, titles, punctuation, long runs of capitalised words)
must never raise, must come back in a finite time with an answer or a refusal built only from the
evidence, and its analysis must only quote the question itself. The number of examples comes from
the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from summarizer.answers import NO_STORY, REFUSAL, AnswerOptions, build_answer
from summarizer.descriptions import asked_person
from summarizer.evidence import Question
from summarizer.passages import Passage
from summarizer.questions import question_speaker
from summarizer.retrieval import Hit

_OPENERS = ["Who is", "Who was", "who's", "What did", "When", "Where", "How many", "Which country",
            "Whose", "Why", "Did", "What is the", ""]
_WORDS = ["Tahir", "Andrabi", "Asif", "Khawaja", "the", "Foreign", "Office", "spokesperson", "say", "said",
          "about", "talks", "Istanbul", "Nov.", "6", "2025", "U.S.", "Mr.", "’s", "'s", "of", "and", "Ab",
          "x", "TTP", "Türkiye", "Qatar", "minister", "next", "percentage", "people"]
_PUNCT = [" ", " ", " ", ",", ".", "?", "??", "!", ":", "“", "”", '"', "'", "-", "\n", "\u00a0"]

_question = st.builds(
    lambda opener, parts: opener + " " + "".join(parts),
    st.sampled_from(_OPENERS),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(_PUNCT)), max_size=60),
)


def _hits() -> list[Hit]:
    texts = ["Foreign Office spokesperson Tahir Andrabi said the talks would resume on November 6.",
             "“We will not accept this,” Khawaja Asif said in Istanbul on Friday.",
             "Turkiye and Qatar mediated the talks, which lasted six days."]
    return [Hit(passage=Passage(id=f"a{i}#0", article_id=f"a{i}", index=0, sentences=(t,), outlet=f"o{i}"),
                score=1.0, lexical=2.0, dense=0.6) for i, t in enumerate(texts)]


@given(_question)
@example("Who is " + "Ab " * 40 + "(a name that does not end the question)?")
@example("What did " + "Mr. " * 30 + "say" + "?" * 20)
def test_questions_never_raise_and_answers_come_from_the_evidence(question: str) -> None:
    asked = Question.parse(question)
    assert asked.qtype in ("who", "when", "where", "how_many", "which", "quote", "other")
    person = asked_person(question)
    assert person is None or person in question
    speaker = question_speaker(question)
    assert speaker is None or all(word in question for word in speaker.split())
    hits = _hits()
    g = build_answer(question, hits, AnswerOptions(threshold=-1.0))
    if not g.answered:
        assert g.short in (REFUSAL, NO_STORY) and not g.citations
        return
    windows = [h.passage.window for h in hits]
    assert g.citations and all(c.snippet in windows for c in g.citations)
    assert all(any(s in w for w in windows) for s in g.support)
