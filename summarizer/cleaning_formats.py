"""Markdown and HTML to plain lines, before the text rules of `summarizer.cleaning` run.

Both converters keep one paragraph per block (blank line between blocks) and report the title they
can see (the first Markdown heading; the page's og:title, <h1> or <title>), so the same line rules
then apply to every format. HTML uses lxml directly: it is fast on the small fragments that feeds
carry and lets us drop non-article elements (scripts, navigation, share bars, captions) by tag and by
class name before any text is produced. A page without an article container goes to trafilatura,
which is built to find the main text among the chrome.
"""

from __future__ import annotations

import logging
import re

import lxml.etree as etree
import lxml.html
import trafilatura

from summarizer.cleaning_inline import collapse_spaces

# --- Markdown -----------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_RULE = re.compile(r"^ {0,3}(?:[-*_=][ \t]*){3,}$")
_MD_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_MD_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+")
_MD_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]{1,100}\]:[ \t]*\S+.*$")
_MD_FENCE = re.compile(r"^ {0,3}(?:```|~~~)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*(?![\w*])"
                          r"|(?<![\w_])_(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])_(?![\w_])")
_MD_CODE = re.compile(r"`{1,3}([^`\n]{1,500})`{1,3}")


def markdown_to_lines(text: str) -> tuple[str, str | None]:
    """Markdown block syntax removed line by line; the first heading is the title candidate."""
    out: list[str] = []
    title: str | None = None
    for raw in text.split("\n"):
        if _MD_FENCE.match(raw) or _MD_RULE.match(raw) or _MD_REF_DEF.match(raw):
            out.append("")
            continue
        line = _MD_QUOTE.sub("", raw)
        heading = _MD_HEADING.match(line)
        if heading:
            line = heading.group(1)
            if title is None and not any(o.strip() for o in out):
                title = _inline_markdown(line).strip() or None
            out.extend(["", line, ""])  # a heading is always its own paragraph
            continue
        out.append(_MD_BULLET.sub("", line) if _MD_BULLET.match(line) else line)
    return "\n".join(_inline_markdown(line) for line in out), title


def _inline_markdown(line: str) -> str:
    if "`" in line:
        line = _MD_CODE.sub(r"\1", line)
    if "*" in line or "_" in line:
        line = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2) or "", line)
    if "\\" in line:
        line = _MD_ESCAPE.sub(r"\1", line)
    return line


# --- HTML ---------------------------------------------------------------------------------------------

_DROP_TAGS = ("script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
              "select", "input", "textarea", "svg", "canvas", "iframe", "object", "embed", "figure",
              "figcaption", "video", "audio", "picture", "img", "map", "dialog", "menu", "head")
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "hr", "address", "body",
    "center", "details", "summary", "fieldset", "caption", "tbody", "thead", "tfoot", "html",
})
_BOILERPLATE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|related|newsletter|subscribe|subscription|cookie|consent|gdpr|"
    r"advert\w*|ads?|adslot|ad-slot|promo\w*|sponsor\w*|comments?|sidebar|breadcrumbs?|nav|navbar|"
    r"navigation|menu|footer|masthead|byline|caption|credit|tags|popup|modal|banner|paywall|"
    r"recommend\w*|outbrain|taboola|read-?more|more-stories|trending|toolbar|skip-link|sr-only|"
    r"visually-hidden|hidden)(?:$|[\s_-])", re.IGNORECASE)
_CONTAINER_XPATH = ("//article", "//main", "//*[@itemprop='articleBody']", "//*[@role='main']")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+[:·•»]\s+")


_FULL_PAGE = re.compile(r"<!doctype|<html\b|<body\b", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "canvas", "head", "select",
                             "input", "textarea", "button", "img", "picture", "video", "audio", "map"})


def html_to_text(html: str) -> tuple[str, str | None]:
    """The readable text of an HTML page or fragment, one paragraph per block, and its title."""
    html = _XML_DECL.sub("", html)
    try:
        root = lxml.html.document_fromstring(html) if html.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        root = None
    if root is None:
        return _strip_tags(html), None
    title = _html_title(root)
    container = _container(root)
    if container is None and _FULL_PAGE.search(html[:2000]):
        extracted = _trafilatura_text(html)
        if extracted and extracted.strip():
            return extracted, title
    scope = container if container is not None else root
    _drop_boilerplate(scope)
    text = _block_text(scope)
    if not text.strip():  # markup lxml could not hold (e.g. nesting past the parser's depth limit)
        text = _strip_tags(html)
    return text, title


def _strip_tags(html: str) -> str:
    text = re.sub(r"<(script|style)\b[^>]{0,2000}>.*?</\1\s*>", " ", html, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<\s*(?:br|/p|/div|/h[1-6]|/li)\b[^>]{0,2000}>", "\n\n", text, flags=re.IGNORECASE)
    return re.sub(r"<[^<>]{0,2000}>", " ", text)


def _trafilatura_text(html: str) -> str | None:
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        return trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False,
                                   include_images=False, include_links=False)
    except Exception:  # a third-party parser on arbitrary markup: the lxml path below still works
        return None


def _split_site_name(title: str) -> str:
    """ "Headline | Site" or "Site - Headline" -> "Headline" (the site part is at most four words)."""
    pieces = _TITLE_SPLIT.split(title)
    if len(pieces) < 2:
        return title
    if len(pieces[-1].split()) <= 4:
        sep = list(_TITLE_SPLIT.finditer(title))[-1]
        return title[: sep.start()].strip() or title
    if len(pieces[0].split()) <= 3:
        sep = next(_TITLE_SPLIT.finditer(title))
        return title[sep.end():].strip() or title
    return title


def _html_title(root: lxml.html.HtmlElement) -> str | None:
    for xpath in ("//meta[@property='og:title']/@content", "//meta[@name='twitter:title']/@content"):
        found = root.xpath(xpath)
        if found and str(found[0]).strip():
            return _split_site_name(collapse_spaces(str(found[0])))
    for xpath in ("//article//h1", "//main//h1", "//h1", "//title"):
        found = root.xpath(xpath)
        if found and isinstance(found[0], lxml.html.HtmlElement):
            text = collapse_spaces(found[0].text_content())
            if text:
                return text if xpath != "//title" else _split_site_name(text)
    return None


def _container(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element that holds the article, when the page marks it; the longest if several do."""
    for xpath in _CONTAINER_XPATH:
        found = [e for e in root.xpath(xpath) if isinstance(e, lxml.html.HtmlElement)]
        if found:
            return max(found, key=lambda e: len(e.text_content()))
    return None


def _drop_boilerplate(scope: lxml.html.HtmlElement) -> None:
    """Remove non-article elements, but never one that holds most of the text (a page-wide <form>)."""
    etree.strip_elements(scope, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    total = len(scope.text_content())
    doomed: list[lxml.html.HtmlElement] = []
    for el in scope.iterdescendants():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in ("html", "body"):
            continue
        if tag in _INVISIBLE_TAGS:
            doomed.append(el)
            continue
        attrs = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}"
        unwanted = (tag in _DROP_TAGS or (attrs.strip() and _BOILERPLATE_ATTR.search(attrs))
                    or el.get("hidden") is not None or el.get("aria-hidden") == "true"
                    or "display:none" in el.get("style", "").replace(" ", ""))
        if unwanted and len(el.text_content()) <= 0.5 * total:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the element's tail text


def _block_text(root: lxml.html.HtmlElement) -> str:
    """Text with a blank line at every block boundary and a newline at <br>, without recursion."""
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if el.text and tag:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    return "".join(parts)
