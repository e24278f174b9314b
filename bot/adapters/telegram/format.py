"""Telegram HTML for replies and digests: every piece of article text escaped, messages under 4,096.

HTML parse mode is used because its escaping is three characters and total: `<`, `>`, `&` (and `"` in
attributes). Article text can then contain MarkdownV2 specials, tags or entities and still arrives
verbatim. Links are emitted only for http(s) URLs. Telegram itself turns `@name` in any text into a
mention that notifies that user, so an invisible word joiner after `@` keeps article text from pinging
anyone (`attr` escapes hrefs, which must stay byte for byte).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.adapters.text import atoms, pack, utf16_len
from bot.commands.core import Reply, SourceLink
from summarizer.types import Answer, Quote, StoryDigest

LIMIT = 4096
# Room for the quote marks and attribution added around a quote's first and last sentence.
_ATOM_LIMIT = LIMIT - 600
_MENTION = re.compile(r"@(?=\w)")


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def esc(text: str) -> str:
    """Text for an HTML message: escaped, and with no `@name` that Telegram would turn into a mention."""
    return _MENTION.sub("@\u2060", attr(text))


def link(url: str | None, label: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{attr(url)}">{esc(label)}</a>'
    return esc(label)


def _plain(text: str) -> list[str]:
    return atoms(text, esc, _ATOM_LIMIT, utf16_len)


def _outlets(digest: StoryDigest, ids: Sequence[str]) -> str:
    names = {a.id: a.outlet or a.id for a in digest.articles}
    return ", ".join(dict.fromkeys(names.get(i, i) for i in ids))


def _quote(digest: StoryDigest, quote: Quote) -> list[str]:
    parts = _plain(quote.text) or [""]
    parts[0] = "“" + parts[0]
    attribution = f"<i>{esc(quote.speaker or 'unattributed')}</i>"
    outlets = _outlets(digest, quote.sources)
    parts[-1] += f"” — {attribution}" + (f" ({esc(outlets)})" if outlets else "")
    return parts


def story_messages(digest: StoryDigest, limit: int = LIMIT) -> list[str]:
    """One story as Telegram HTML messages (usually one; more only for very long stories)."""
    headline = atoms(digest.headline or "Untitled story", lambda s: f"<b>{esc(s)}</b>", _ATOM_LIMIT,
                     utf16_len)
    if digest.is_update:
        headline[-1] += " <i>(update)</i>"
    paragraphs = [headline, _plain(" ".join(s.text for s in digest.summary))]
    paragraphs += [_quote(digest, q) for q in digest.quotes]
    seen: dict[str, str] = {}
    for a in digest.articles:
        seen.setdefault(a.outlet or a.id, link(a.url, a.outlet or a.id))
    if seen:
        names = list(seen.values())
        last = len(names) - 1
        paragraphs.append(["Sources:", *[n + ("," if i < last else "") for i, n in enumerate(names)]])
    return pack(paragraphs, limit, utf16_len)


def answer_messages(answer: Answer, limit: int = LIMIT) -> list[str]:
    paragraphs = [_plain(answer.answer or ("I could not answer that from the stories I have."))]
    for n, c in enumerate(answer.citations, 1):
        para = [f"[{n}] {link(c.url, c.outlet or c.article_id)}"]
        snippet = _plain(c.snippet)
        if snippet:
            snippet[0] = "— “" + snippet[0]
            snippet[-1] += "”"
        paragraphs.append(para + snippet)
    return pack(paragraphs, limit, utf16_len)


def links_messages(text: str, links: Sequence[SourceLink], limit: int = LIMIT) -> list[str]:
    paragraphs = [_plain(text)] + [[f"• {link(s.url, s.outlet)}"] for s in links]
    return pack(paragraphs, limit, utf16_len, para_sep="\n")


def text_messages(text: str, limit: int = LIMIT) -> list[str]:
    """Plain text (our own replies, which may quote user input): escaped, split on lines."""
    lines = [_plain(line) or [""] for line in text.split("\n")]
    chunks = pack([line for line in lines if line != [""]], limit, utf16_len, para_sep="\n")
    return chunks or [esc(text[:limit]) or "…"]


def reply_messages(reply: Reply, limit: int = LIMIT) -> list[str]:
    """A non-digest reply as messages (digests are sent story by story, with buttons)."""
    if reply.answer is not None:
        return answer_messages(reply.answer, limit)
    if reply.links:
        return links_messages(reply.text, reply.links, limit)
    return text_messages(reply.text, limit)
