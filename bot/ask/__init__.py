"""/ask: answer a follow-up question from the stored coverage, with citations, or refuse honestly.

`AskIndex` (bot.ask.index) keeps passages of every stored article in the database; `ask` searches it
(a question about a story searches that story first) and hands the hits to the pure answerer.
"""

from __future__ import annotations

from bot.ask.index import AskIndex
from summarizer.answers import AnswerOptions, answer_question
from summarizer.overview import asks_overview
from summarizer.retrieval import Mode
from summarizer.types import Answer

__all__ = ["AskIndex", "ask"]


def ask(index: AskIndex, question: str, story_article_ids: set[str] | None = None,
        scope: set[str] | None = None, k: int = 30, mode: Mode = "hybrid",
        options: AnswerOptions | None = None) -> Answer:
    """Search, then answer with citations or refuse ("I couldn't find that in the coverage."). A
    question about the story as a whole ("what happened?") gets the story's leads instead of a search."""
    if story_article_ids and asks_overview(question):
        hits = index.leads(story_article_ids if scope is None else story_article_ids & scope)
    else:
        hits = index.search(question, story_article_ids=story_article_ids, scope=scope, k=k, mode=mode)
    return answer_question(question, hits, options)
