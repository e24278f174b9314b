"""Character and inline normalisation of scraped text, before any line is judged.

Invisible characters, exotic spaces and leaked HTML entities make equal text compare unequal (for
title matching and deduplication); Markdown links and emphasis, stray tags and tracking parameters
are noise inside otherwise good sentences. These functions fix a line without deciding whether it
belongs to the article (that is `summarizer.cleaning_rules`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

# --- character-level normalisation ------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# C0 and C1 controls, zero-width and bidirectional formatting characters
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
                        r"\u2060\u2066-\u2069\ufeff\ufffe\uffff]")
_MULTI_SPACE = re.compile(r" {2,}")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


_ANY_SPECIAL = re.compile(r"[\r\u2028\u2029\x0b\x0c\x85\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
                          r"\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060"
                          r"\u2066-\u2069\ufeff\ufffe\uffff]")


def normalise_chars(text: str) -> str:
    """One kind of newline and space, no invisible characters (they break matching and dedup)."""
    if _ANY_SPECIAL.search(text) is None:
        return text
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def unescape_entities(text: str) -> str:
    """HTML entities that leaked into plain text ("&amp;", "&#8217;"); other ampersands stay."""
    return _ENTITY.sub(lambda m: html.unescape(m.group()), text) if "&" in text else text


def collapse_spaces(line: str) -> str:
    return (_MULTI_SPACE.sub(" ", line) if "  " in line else line).strip()


# --- inline markup ----------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((?:https?://|/|www\.|mailto:"
                      r"|#)[^)\s]{0,500}(?:\s+\"[^\"\n]{0,200}\")?\)")
_MD_REF_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\[[^\[\]\n]{0,40}\]")
_EMPHASIS_RUN = re.compile(r"[*_~]{2,}")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|a|b|i|u|em|strong|small|sup|sub|img|figure|figcaption|ul|ol|li|h[1-6]|"
    r"blockquote|iframe|hr|font|center|section|article|header|footer|nav|aside|time|abbr|cite|mark|"
    r"picture|source|video|audio|table|tr|td|th|tbody|thead|label|button|form|input)\b[^>\n]{0,500}>",
    re.IGNORECASE)
_TWITTER_PIC = re.compile(r"\s*\bpic\.twitter\.com/\w+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'“”‘’()\[\]{}]+")
_URL_TRAIL = ".,;:!?…"


def strip_inline_markup(line: str) -> str:
    """Markdown links and emphasis, stray HTML tags and embedded-tweet picture links, in any format."""
    if "](" in line or "][" in line:
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_REF_LINK.sub(r"\1", line)
    if "*" in line or "_" in line or "~" in line:
        line = _EMPHASIS_RUN.sub(_cancel_emphasis, line)
    if "<" in line:
        line = _HTML_TAG.sub(" ", line)
    if "pic.twitter" in line:
        line = _TWITTER_PIC.sub("", line)
    return line


def _cancel_emphasis(m: re.Match[str]) -> str:
    """`**`, `__` and `~~` go, also those that only meet once an inner pair is gone (`*__*`), so one
    pass leaves nothing for the next; `snake__case` keeps its `__`."""
    run, line = m.group(), m.string
    if run == "__" and _ALNUM.fullmatch(line[m.start() - 1 : m.start()] or "-") \
            and _ALNUM.fullmatch(line[m.end() : m.end() + 1] or "-"):
        return run
    kept: list[str] = []
    for ch in run:
        if kept and kept[-1] == ch:
            kept.pop()
        else:
            kept.append(ch)
    return "".join(kept)


def rewrite_urls(line: str, rewrite: Callable[[str], str]) -> str:
    """Apply `rewrite` to every URL in `line`, leaving sentence punctuation after a URL in place."""
    if "http" not in line and "www." not in line:
        return line

    def sub(m: re.Match[str]) -> str:
        url = m.group()
        stripped = url.rstrip(_URL_TRAIL)
        return rewrite(stripped) + url[len(stripped):]

    return _URL.sub(sub, line)
