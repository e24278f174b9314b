"""Digests and /ask answers formatted for people reading a terminal or a Markdown viewer (chat adapters
have their own)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.types import Answer, Quote, StoryDigest

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    """Escape Markdown so article text can never add markup or links."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _speaker(q: Quote) -> str:
    return q.speaker or "unattributed"


def _label(digest: StoryDigest, index: int) -> str:
    """An article's outlet, or a numbered stand-in when the source did not name one."""
    return digest.articles[index].outlet or f"source {index + 1}"


def _outlets(digest: StoryDigest, ids: Sequence[str]) -> str:
    names = {a.id: _label(digest, n) for n, a in enumerate(digest.articles)}
    return ", ".join(dict.fromkeys(names.get(i, i) for i in ids))


def render_text(digests: Sequence[StoryDigest]) -> str:
    if not digests:
        return "Nothing new."
    blocks = []
    for n, d in enumerate(digests, 1):
        lines = [f"{n}. {d.headline}" + (" (update)" if d.is_update else ""), ""]
        lines += [f"   {s.text}" for s in d.summary]
        if d.quotes:
            lines.append("")
            for q in d.quotes:
                lines.append(f"   “{q.text}” — {_speaker(q)} [{_outlets(d, q.sources)}]")
        lines.append("")
        lines.append("   Sources: " + "; ".join(
            _label(d, n) + (f" <{a.url}>" if a.url else "") for n, a in enumerate(d.articles)))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_markdown(digests: Sequence[StoryDigest]) -> str:
    if not digests:
        return "_Nothing new._"
    blocks = []
    for d in digests:
        lines = [f"## {_md(d.headline)}" + (" _(update)_" if d.is_update else ""), ""]
        lines.append(" ".join(_md(s.text) for s in d.summary))
        if d.quotes:
            lines.append("")
            lines.append("\n\n".join(f"> “{_md(q.text)}” — **{_md(_speaker(q))}** "
                                      f"({_md(_outlets(d, q.sources))})" for q in d.quotes))
        lines.append("")
        labels = [_md(_label(d, n)) for n in range(len(d.articles))]
        lines.append("Sources: " + ", ".join(
            f"[{label}](<{a.url}>)" if a.url else label for label, a in zip(labels, d.articles, strict=True)))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_answer(answer: Answer) -> str:
    """An /ask answer as plain text: the answer, then each numbered citation with its outlet, link
    and snippet (the snippet as it stands: it may itself open with a quotation mark)."""
    lines = [answer.answer]
    for n, c in enumerate(answer.citations, 1):
        link = f" <{c.url}>" if c.url else ""
        lines.append(f"  [{n}] {c.outlet or c.article_id}{link}: {c.snippet}")
    return "\n".join(lines)
