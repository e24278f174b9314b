"""Text-level cleaning: the article body without the chrome that HTML extractors and feeds leave in.

What is removed, and why each rule is safe for real sentences:
- site chrome lines (share/follow/subscribe, ads, cookie notices, reading time, bylines, date stamps,
  photo credits, bare URLs): whole short lines only (`summarizer.cleaning_rules`);
- the title repeated as a body line, and headline-like lines above the first paragraph (the first
  becomes the title when none is given);
- a trailing list of other stories' teasers (short headlines with dates or "…" standfirsts), and a
  closing outlet tagline (which names the outlet);
- the dateline at the start of the body, which becomes `place` / `outlet`
  (`summarizer.cleaning_dateline`);
- markup (`**`, `__`, Markdown links, stray tags) and tracking parameters of URLs in the text.

The result is a fixed point: cleaning its text again changes nothing (we re-run the rules until the
text is stable, which also settles rules that enable each other). `clean_text` never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from summarizer.cleaning_dateline import parse_dateline
from summarizer.cleaning_formats import html_to_text, markdown_to_lines
from summarizer.cleaning_inline import (
    collapse_spaces,
    normalise_chars,
    rewrite_urls,
    strip_inline_markup,
    unescape_entities,
)
from summarizer.cleaning_rules import Kind, classify, is_prose, outlet_from_footer, tagline_outlet
from summarizer.urls import canonicalize_url, strip_tracking_params

__all__ = ["CleanedText", "canonicalize_url", "clean_text", "strip_tracking_params"]

Format = Literal["text", "markdown", "html"]
_MAX_PASSES = 4
_MAX_LEADING_HEADINGS = 3
_NEAR_TOP = 4  # paragraphs in which a short title's repeat is still the title
_DROP = frozenset({Kind.CHROME, Kind.LIST_HEAD})
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r"^(?:[-*•+▪]|\d{1,3}[.)])\s")
_NORM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CleanedText:
    """A cleaned body and what the cleaning learnt about the article.

    `place` comes from a dateline, in title case when the dateline was in capitals ("Islamabad");
    `outlet` is named by a dateline "(Reuters)", a feed footer or a closing tagline.
    """

    text: str  # paragraphs separated by "\n\n", no chrome, no dateline
    title: str | None
    place: str | None
    outlet: str | None


def clean_text(raw: str, *, title: str | None = None, fmt: Format = "text") -> CleanedText:
    """Clean one article body; `title` (when known) is returned and its repeats are removed."""
    given = " ".join(normalise_chars(title).split()) if title else None  # a title is one line
    result = _clean_once(raw, given or None, fmt)
    text, place, outlet, found = result.text, result.place, result.outlet, result.title
    for _ in range(_MAX_PASSES):
        again = _clean_once(text, None, "text")
        place, outlet = place or again.place, outlet or again.outlet
        if again.text == text:
            break
        text = again.text
    return CleanedText(text=text, title=given or found, place=place, outlet=outlet)


def _clean_once(raw: str, title: str | None, fmt: Format) -> CleanedText:
    text = normalise_chars(raw)
    hint: str | None = None
    if fmt == "html":
        text, hint = html_to_text(text)
        text = normalise_chars(text)
    else:
        if "&" in text:
            text = normalise_chars(unescape_entities(text))
        if fmt == "markdown":
            text, hint = markdown_to_lines(text)
    paragraphs = _paragraphs(text)
    kinds = [classify(p) for p in paragraphs]
    outlet = next((o for p, k in zip(paragraphs, kinds, strict=True) if k is Kind.CHROME
                   and (o := outlet_from_footer(p))), None)

    keep = [k not in _DROP for k in kinds]
    first_body = next((i for i, k in enumerate(kinds) if k is Kind.BODY), len(kinds))
    for i in range(first_body):  # a date stamp above the article; dates inside it may be content
        keep[i] = keep[i] and kinds[i] is not Kind.DATE
    detected = _leading_headings(paragraphs, kinds, keep)
    titles = [t for t in (title, hint) if t] + ([detected] if detected and len(detected.split()) >= 4 else [])
    _drop_title_repeats(paragraphs, keep, titles)
    _drop_listed_teasers(kinds, keep)
    tail_outlet = _drop_tail(paragraphs, kinds, keep)
    body = [p for p, k in zip(paragraphs, keep, strict=True) if k]
    if not body:  # only a headline or teaser survived the cuts: better that than nothing
        body = [p for p, k in zip(paragraphs, kinds, strict=True) if k not in _DROP and k is not Kind.DATE]

    place = dateline_outlet = None
    if body:
        line = parse_dateline(body[0])
        if line is not None and (line.rest.strip() or len(body) > 1):
            place, dateline_outlet = line.place, line.outlet
            body = ([line.rest.strip()] if line.rest.strip() else []) + body[1:]
    return CleanedText(text="\n\n".join(body), title=hint or detected, place=place,
                       outlet=dateline_outlet or outlet or tail_outlet)


def _paragraphs(text: str) -> list[str]:
    """Non-empty cleaned lines; a hard-wrapped block (e-mail style, ~72 columns) becomes one line."""
    out: list[str] = []
    for block in _BLOCK_SPLIT.split(text):
        lines = [ln for ln in (collapse_spaces(x) for x in block.split("\n")) if ln]
        if _looks_wrapped(lines):
            lines = [" ".join(lines)]
        for line in lines:
            line = collapse_spaces(rewrite_urls(strip_inline_markup(line), strip_tracking_params))
            if line:
                out.append(line)
    return out


def _looks_wrapped(lines: list[str]) -> bool:
    if len(lines) < 2 or max(len(ln) for ln in lines) > 100:
        return False
    body = lines[:-1]
    if any(len(ln) < 30 for ln in body) or any(_LIST_ITEM.match(ln) for ln in lines):
        return False
    open_ended = sum(1 for ln in body if ln.rstrip("\"'”’)]")[-1:] not in (".", "!", "?", ":", ";"))
    return open_ended * 2 >= len(body)


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.casefold()).strip()


def _leading_headings(paragraphs: list[str], kinds: list[Kind], keep: list[bool]) -> str | None:
    """Drop the headline-like lines above the first paragraph of prose; the first is the title."""
    run: list[int] = []
    for i, kind in enumerate(kinds):
        if not keep[i]:
            continue
        if kind is not Kind.HEADING:
            break
        run.append(i)
    if not run or len(run) > _MAX_LEADING_HEADINGS:
        return None
    if not any(keep[j] and is_prose(paragraphs[j]) for j in range(run[-1] + 1, len(paragraphs))):
        return None
    for i in run:
        keep[i] = False
    # a byline block ("Jane Doe", "USA TODAY") can sit above the headline: prefer a real headline
    return next((paragraphs[i] for i in run if len(paragraphs[i].split()) >= 4), paragraphs[run[0]])


def _drop_title_repeats(paragraphs: list[str], keep: list[bool], titles: list[str]) -> None:
    """A body line that is the title (maybe with a period or a short "| Site" suffix) is not body."""
    norms = {n for n in (_norm(t) for t in titles) if n}
    if not norms:
        return
    longest = max(len(t) for t in titles) * 2 + 60
    for i, p in enumerate(paragraphs):
        if not keep[i] or len(p) > longest:
            continue
        n = _norm(p)
        # a short title repeated far down is a label ("Taylor Wilson:" in a transcript), not the title
        exact = n in norms and (i < _NEAR_TOP or len(n.split()) >= 3)
        with_site = any(n.startswith(t + " ") and len(t.split()) >= 3 and len(n.split()) - len(t.split()) <= 4
                        for t in norms)
        if exact or (with_site and not is_prose(p)):
            keep[i] = False


def _drop_listed_teasers(kinds: list[Kind], keep: list[bool]) -> None:
    """After "Related stories" / "Read more", the teaser headlines and their dates are not body."""
    i = 0
    while i < len(kinds):
        if kinds[i] is Kind.LIST_HEAD:
            j = i + 1
            while j < len(kinds) and kinds[j] in (Kind.HEADING, Kind.TEASER, Kind.DATE, Kind.CHROME,
                                                   Kind.LIST_HEAD):
                keep[j] = False
                j += 1
            i = j
        else:
            i += 1


def _drop_tail(paragraphs: list[str], kinds: list[Kind], keep: list[bool]) -> str | None:
    """Cut a trailing teaser list and a closing tagline; returns the outlet a tagline names."""
    start = len(kinds)
    while start > 0 and kinds[start - 1] is not Kind.BODY:
        start -= 1
    if not any(keep[:start]):
        return None  # the "tail" is all there is: keep it
    region = range(start, len(kinds))
    outlet = None
    for i in reversed(region):
        if keep[i] and kinds[i] is Kind.HEADING:
            found = tagline_outlet(paragraphs[i])
            if found:
                outlet, keep[i] = found, False
                break
    items = sum(1 for i in region if keep[i] and kinds[i] in (Kind.HEADING, Kind.TEASER))
    evidence = sum(1 for i in region if kinds[i] in (Kind.DATE, Kind.TEASER)) + 2 * sum(
        1 for i in region if kinds[i] is Kind.LIST_HEAD)
    for i in region:
        if (items >= 2 and evidence >= 2) or kinds[i] is Kind.DATE:
            keep[i] = False
    return outlet
