"""/ask answers to a question about a story as a whole ("What happened?"): the ledes of its latest
reports, or a question back when no story is given."""

from __future__ import annotations

from datetime import datetime

from summarizer.answers import NO_STORY, answer_question, build_answer
from summarizer.passages import Passage
from summarizer.retrieval import Hit


def _lead(article: str, text: str, published: datetime | None, index: int = 0, in_story: bool = True) -> Hit:
    passage = Passage(id=f"{article}#{index}", article_id=article, index=index, sentences=(text,),
                      outlet=f"Outlet {article}", url=f"https://example.org/{article}", published=published)
    return Hit(passage=passage, score=1.0, in_story=in_story)


def test_overview_of_a_story_gives_its_latest_reports_leads() -> None:
    hits = [
        _lead("old", "ANKARA: Talks on the grain corridor opened in Istanbul on Monday.",
              datetime(2023, 10, 1)),
        _lead("undated", "Negotiators say a deal on grain exports is close.", None),
        _lead("new", "ISTANBUL (Reuters): The grain deal was signed in Istanbul on Friday after five days of "
                     "talks.", datetime(2023, 10, 6)),
        _lead("copy", "The grain deal was signed in Istanbul on Friday after five days of talks.",
              datetime(2023, 10, 5)),  # the same wire copy under another outlet
        _lead("new", "Its later paragraphs are not leads.", datetime(2023, 10, 6), index=1),
        _lead("elsewhere", "A deal about something else was signed on Saturday.", datetime(2023, 10, 7),
              in_story=False),
    ]
    grounded = build_answer("What's the latest?", hits)
    assert grounded.answered
    assert grounded.support == ("The grain deal was signed in Istanbul on Friday after five days of talks.",
                                "Talks on the grain corridor opened in Istanbul on Monday.",
                                "Negotiators say a deal on grain exports is close.")
    assert [c.article_id for c in grounded.citations] == ["new", "old", "undated"]
    answer = grounded.to_answer()
    assert answer.answer.splitlines()[0] == f"{grounded.support[0]} [1]"  # the latest lede leads


def test_overview_without_a_story_asks_which_story() -> None:
    hits = [_lead("a", "The grain deal was signed on Friday.", datetime(2023, 10, 6), in_story=False)]
    answer = answer_question("What happened?", hits)
    assert not answer.answered and answer.answer == NO_STORY and not answer.citations
