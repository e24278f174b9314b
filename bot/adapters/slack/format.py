"""Slack Block Kit for digests and replies, with article text that cannot ping, link or format.

Article text (headline, summary, quotes) goes into `plain_text` objects, which Slack shows literally:
no mrkdwn, no `<!channel>`, no links. Only our own context lines use mrkdwn, and every piece of
article text in them (outlet names, URLs) is escaped the way Slack documents: `&`, `<`, `>`; they are
`verbatim`, so Slack does not turn bare names or URLs in them into mentions or links either. Citation
snippets, the longest hostile text, sit in plain_text context elements beside their link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from bot.adapters.text import atoms, pack
from bot.commands.core import Reply, SourceLink
from summarizer.types import Answer, Quote, StoryDigest

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
_SECTION_ATOM = 2500
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.I)

Block = dict[str, Any]


def esc(text: str) -> str:
    """Escape for mrkdwn and `text` fields, and defuse @channel-style words as well."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", text)


def link(url: str | None, label: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f"<{esc(url).replace('|', '%7C')}|{esc(label)}>"
    return esc(label)


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": False}


def mrkdwn(text: str) -> Block:
    """Our own mrkdwn (already escaped); verbatim: no auto-linking of names, channels or URLs."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _sections(paragraphs: Sequence[Sequence[str]]) -> list[Block]:
    return [{"type": "section", "text": plain(chunk)} for chunk in pack(paragraphs, SECTION_LIMIT)]


def _plain_atoms(text: str) -> list[str]:
    return atoms(text, lambda s: s, _SECTION_ATOM)


def _outlets(digest: StoryDigest, ids: Sequence[str]) -> str:
    names = {a.id: a.outlet or a.id for a in digest.articles}
    return ", ".join(dict.fromkeys(names.get(i, i) for i in ids))


def _quote(digest: StoryDigest, quote: Quote) -> list[str]:
    parts = _plain_atoms(quote.text) or [""]
    parts[0] = "“" + parts[0]
    outlets = _outlets(digest, quote.sources)
    parts[-1] += f"” — {quote.speaker or 'unattributed'}" + (f" ({outlets})" if outlets else "")
    return parts


def _context(prefix: str, items: Sequence[str]) -> list[Block]:
    """Context blocks of mrkdwn lines, each under the section limit (at most 10 elements per block)."""
    lines = pack(([[prefix]] if prefix else []) + [[i] for i in items], SECTION_LIMIT, para_sep=" ")
    return [{"type": "context", "elements": [mrkdwn(t) for t in lines[i:i + 10]]}
            for i in range(0, len(lines), 10)]


def header_text(headline: str) -> str:
    headline = " ".join(headline.split()) or "Untitled story"
    return headline if len(headline) <= HEADER_LIMIT else headline[:HEADER_LIMIT - 1] + "…"


def story_blocks(digest: StoryDigest, button: Callable[[str], str] | None = None) -> list[Block]:
    """One story: header, summary and quotes as sections, sources as context, then its buttons."""
    title = header_text(digest.headline) + (" (update)" if digest.is_update else "")
    blocks: list[Block] = [{"type": "header", "text": plain(header_text(title))}]
    long_headline = " ".join(digest.headline.split())
    paragraphs = [_plain_atoms(long_headline)] if len(long_headline) > HEADER_LIMIT else []
    paragraphs.append(_plain_atoms(" ".join(s.text for s in digest.summary)))
    paragraphs += [_quote(digest, q) for q in digest.quotes]
    blocks += _sections([p for p in paragraphs if p])
    seen: dict[str, str] = {}
    for a in digest.articles:
        seen.setdefault(a.outlet or a.id, link(a.url, a.outlet or a.id))
    if seen:
        names = list(seen.values())
        blocks += _context("Sources:", [n + ("," if i < len(names) - 1 else "") for i, n in enumerate(names)])
    if button is not None:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": f"nd_{action}", "text": plain(label), "value": button(action)}
            for label, action in (("Sources", "sources"), ("Ask", "ask"), ("Mute story", "mute"))]})
    return blocks


def story_fallback(digest: StoryDigest) -> str:
    """The notification text of a story message (mrkdwn, so escaped)."""
    return esc(header_text(digest.headline))


def answer_blocks(answer: Answer) -> list[Block]:
    text = answer.answer or "I could not answer that from the stories I have."
    blocks = _sections([_plain_atoms(text)])
    if answer.citations:
        blocks += _context("Sources:", [])
    for n, c in enumerate(answer.citations, 1):
        cite: list[Block] = [mrkdwn(f"[{n}] {link(c.url, c.outlet or c.article_id)}")]
        if c.snippet.strip():
            cite.append(plain(f"“{c.snippet[:300]}”"))
        blocks.append({"type": "context", "elements": cite})
    return blocks


def links_blocks(text: str, links: Sequence[SourceLink]) -> list[Block]:
    return _sections([_plain_atoms(text)]) + _context("", [f"• {link(s.url, s.outlet)}" for s in links])


def reply_payload(reply: Reply) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for a non-digest reply."""
    if reply.answer is not None:
        return esc(reply.answer.answer[:300] or "No answer"), answer_blocks(reply.answer)
    if reply.links:
        return esc(reply.text[:300]), links_blocks(reply.text, reply.links)
    chunks = pack([_plain_atoms(line) for line in reply.text.split("\n")], SECTION_LIMIT, para_sep="\n")
    return esc(reply.text[:300]), [{"type": "section", "text": plain(c)} for c in chunks]
