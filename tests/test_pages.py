"""Single web pages served on 127.0.0.1: extraction with trafilatura, and pages with no article."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from httpserver import LoopbackServer, serve

from bot.ingestion.base import ItemError, RawItem
from bot.ingestion.fetch import FetchPolicy
from bot.ingestion.pages import PageSource, extract_article, has_prose

POLICY = FetchPolicy(allow_hosts=["127.0.0.1"], timeout=2.0)

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Flood waters recede in Millbrook | Valley Herald</title>
<meta property="og:site_name" content="Valley Herald">
<link rel="canonical" href="{canonical}">
<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
<meta name="author" content="Jane Roe"></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<article><h1>Flood waters recede in Millbrook</h1>
<p>Flood waters in the river town of Millbrook began to recede on Tuesday after three days of heavy rain
forced hundreds of residents from their homes.</p>
<p>Emergency crews said the river had fallen by nearly a metre overnight, and the mayor told reporters that
most roads would reopen by the weekend.</p>
<p>“We are not out of the woods yet,” the mayor said, urging residents to wait for the all-clear.</p>
</article><aside>Most read: Café reopens</aside><footer>© Valley Herald</footer></body></html>
"""

NO_BODY = """<!doctype html><html><head><title>Valley Herald – Home</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="buttons"><button>Subscribe</button> <button>Log in</button></div>
<footer>Contact us</footer></body></html>"""


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serve() as running:
        yield running


def test_article_page_becomes_a_raw_item(server: LoopbackServer) -> None:
    canonical = server.url("/news/flood")
    server.add("/news/flood", ARTICLE.format(canonical=canonical), headers={"Content-Type": "text/html"})
    (item,) = list(PageSource(server.url("/news/flood?utm_source=x"), POLICY).items())
    assert isinstance(item, RawItem)
    assert item.title == "Flood waters recede in Millbrook" and item.outlet == "Valley Herald"
    assert item.format == "text" and "fallen by nearly a metre" in item.text
    assert "Subscribe" not in item.text and "Most read" not in item.text
    assert item.url == canonical and item.origin == server.url("/news/flood?utm_source=x")
    assert item.published == datetime(2024, 3, 5, 7, 30, tzinfo=UTC)
    assert item.metadata["author"] == "Jane Roe"


def test_page_without_an_article_body(server: LoopbackServer) -> None:
    server.add("/", NO_BODY, headers={"Content-Type": "text/html; charset=utf-8"})
    results = list(PageSource(server.url("/"), POLICY).items())
    assert results == [ItemError(server.url("/"), "no article body")]


def test_canonical_on_another_site_is_not_trusted() -> None:
    html = ARTICLE.format(canonical="https://other.example/stolen")
    item = extract_article(html, "https://www.herald.example/news/flood")
    assert isinstance(item, RawItem)
    assert item.url == "https://www.herald.example/news/flood"
    assert item.metadata["claimed_canonical"] == "https://other.example/stolen"
    same_site = extract_article(ARTICLE.format(canonical="https://herald.example/news/flood"),
                                "https://www.herald.example/news/flood?ref=1")
    assert isinstance(same_site, RawItem) and same_site.url == "https://herald.example/news/flood"


def test_declared_charset_is_used(server: LoopbackServer) -> None:
    html = ARTICLE.format(canonical=server.url("/latin")).replace('<meta charset="utf-8">', "")
    html = html.replace("“", '"').replace("”", '"').replace("©", "(c)").replace("recede in", "recede in café")
    server.add("/latin", html.encode("latin-1"), headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    (item,) = list(PageSource(server.url("/latin"), POLICY).items())
    assert isinstance(item, RawItem) and "café" in (item.title or "")


def test_non_html_and_http_errors(server: LoopbackServer) -> None:
    server.add("/doc.pdf", b"%PDF-1.7 binary", headers={"Content-Type": "application/pdf"})
    server.add("/down", "oops", status=503)
    assert list(PageSource(server.url("/doc.pdf"), POLICY).items()) == [
        ItemError(server.url("/doc.pdf"), "not an HTML page (application/pdf)")]
    (error,) = list(PageSource(server.url("/down"), POLICY).items())
    assert isinstance(error, ItemError) and error.reason == "HTTP 503 Service Unavailable"


def test_refused_page_url() -> None:
    (error,) = list(PageSource("http://192.168.0.1/admin", POLICY).items())
    assert isinstance(error, ItemError) and "private address" in error.reason


@pytest.mark.parametrize(("text", "prose"), [
    ("Home\nSport\nSubscribe now", False),
    ("Sign in to read the full story and more", False),
    ("The council approved the budget on Monday by five votes to two.", True),
    ("Menu\n“We will rebuild the bridge within a year,” the mayor told reporters.”", True),
])
def test_has_prose(text: str, prose: bool) -> None:
    assert has_prose(text) is prose
