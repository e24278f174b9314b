"""RSS/Atom feeds and OPML lists served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from httpserver import LoopbackServer, serve

from bot.ingestion.base import ItemError, RawItem
from bot.ingestion.feeds import FeedSource, parse_feed
from bot.ingestion.fetch import FetchPolicy
from bot.ingestion.opml import FeedRef, OpmlSource, parse_opml

POLICY = FetchPolicy(allow_hosts=["127.0.0.1"], timeout=2.0)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Gazette</title><link>https://gazette.example/</link><language>en-gb</language>
<item><title>Ferry service resumes</title><link>https://gazette.example/news/ferry</link>
<guid isPermaLink="false">hg-1001</guid><pubDate>Tue, 02 Jan 2024 10:30:00 +0100</pubDate>
<description>&lt;p&gt;The ferry &lt;b&gt;resumed&lt;/b&gt; service on Tuesday.&lt;/p&gt;</description>
<category>Transport</category></item>
<item><title>Council passes budget</title><link>/news/budget</link><guid isPermaLink="false">hg-1002</guid>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>The council passed the budget by seven votes to two.</p>]]>
</content:encoded></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Wire</title><id>urn:valley</id>
<updated>2024-02-03T04:05:06Z</updated>
<entry><title>Storm closes mountain pass</title><link href="https://wire.example/storm"/><id>urn:uuid:storm-1</id>
<published>2024-02-03T04:05:06Z</published><author><name>Ana Ruiz</name></author>
<content type="html">&lt;p&gt;Snow closed the pass overnight.&lt;/p&gt;</content></entry>
<entry><title>Plain note</title><link href="javascript:alert(1)"/><id>urn:uuid:note-2</id>
<updated>2024-02-04T00:00:00Z</updated><content type="text">A plain text body.</content></entry>
</feed>
"""


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serve() as running:
        yield running


def split(items: list[RawItem | ItemError]) -> tuple[list[RawItem], list[ItemError]]:
    return [i for i in items if isinstance(i, RawItem)], [i for i in items if isinstance(i, ItemError)]


def test_rss_entries_become_raw_items(server: LoopbackServer) -> None:
    server.add("/rss", RSS, headers={"Content-Type": "application/rss+xml"})
    items, errors = split(list(FeedSource(server.url("/rss"), POLICY).items()))
    assert errors == [] and len(items) == 2
    ferry, budget = items
    assert ferry.title == "Ferry service resumes" and ferry.outlet == "Harbour Gazette"
    assert ferry.format == "html" and "<b>resumed</b>" in ferry.text
    assert ferry.url == "https://gazette.example/news/ferry" and ferry.id is None
    assert ferry.metadata["guid"] == "hg-1001" and ferry.metadata["tags"] == ["Transport"]
    assert ferry.published == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    assert ferry.language == "en-gb"
    assert "seven votes to two" in budget.text  # the fuller content:encoded wins over the teaser
    assert budget.url == server.url("/news/budget")  # relative links resolve against the feed URL


def test_atom_entries_become_raw_items(server: LoopbackServer) -> None:
    server.add("/atom", ATOM, headers={"Content-Type": "application/atom+xml"})
    items, errors = split(list(FeedSource(server.url("/atom"), POLICY).items()))
    assert errors == []
    storm, note = items
    assert storm.outlet == "Valley Wire" and storm.metadata["guid"] == "urn:uuid:storm-1"
    assert storm.metadata["author"] == "Ana Ruiz"
    assert storm.published == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert note.format == "text" and note.text == "A plain text body."
    assert note.url is None  # a javascript: link is dropped
    assert note.origin.endswith("#urn:uuid:note-2")


def test_conditional_get_304_yields_nothing_and_exposes_validators(server: LoopbackServer) -> None:
    etag, stamp = '"rss-v7"', "Wed, 03 Jan 2024 08:00:00 GMT"

    def handler(request: BaseHTTPRequestHandler) -> None:
        headers = request.headers
        fresh = etag == headers.get("If-None-Match") or stamp == headers.get("If-Modified-Since")
        request.send_response(304 if fresh else 200)
        request.send_header("ETag", etag)
        request.send_header("Last-Modified", stamp)
        body = b"" if fresh else RSS.encode()
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    server.routes["/rss"] = handler
    first = FeedSource(server.url("/rss"), POLICY)
    assert first.etag is None
    assert len(list(first.items())) == 2
    assert (first.etag, first.last_modified) == (etag, stamp)
    by_etag = FeedSource(server.url("/rss"), POLICY, etag=first.etag)
    assert list(by_etag.items()) == [] and by_etag.not_modified and by_etag.etag == etag
    by_date = FeedSource(server.url("/rss"), POLICY, last_modified=first.last_modified)
    assert list(by_date.items()) == [] and by_date.not_modified
    assert server.requests[2].headers["if-modified-since"] == stamp


def test_validators_are_exposed_only_after_all_entries(server: LoopbackServer) -> None:
    server.add("/rss", RSS, headers={"ETag": '"e1"'})
    source = FeedSource(server.url("/rss"), POLICY)
    stream = source.items()
    next(stream)
    assert source.etag is None
    list(stream)
    assert source.etag == '"e1"'


def test_truncated_feed_keeps_good_entries_and_reports_once(server: LoopbackServer) -> None:
    cut = RSS.index("<item><title>Council")
    server.add("/cut", RSS[: cut + 40])
    items, errors = split(list(FeedSource(server.url("/cut"), POLICY).items()))
    assert [i.title for i in items] == ["Ferry service resumes"]
    assert len(errors) == 1 and "malformed" in errors[0].reason and errors[0].item == server.url("/cut")


@pytest.mark.parametrize("body", ["<rss><channel><title>x</title><item><title>a</item></rss>",
                                  "<<<not xml at all", "<html><body><p>Just a page</p></body></html>", ""])
def test_malformed_or_non_feed_documents_yield_one_error(server: LoopbackServer, body: str) -> None:
    server.add("/bad", body)
    results = list(FeedSource(server.url("/bad"), POLICY).items())
    assert len(results) == 1 and isinstance(results[0], ItemError)
    assert "feed" in results[0].reason


@pytest.mark.parametrize(("status", "word"), [(404, "HTTP 404"), (500, "HTTP 500")])
def test_http_errors_yield_one_item_error(server: LoopbackServer, status: int, word: str) -> None:
    server.add("/gone", "nope", status=status)
    assert list(FeedSource(server.url("/gone"), POLICY).items()) == [ItemError(server.url("/gone"), word + (
        " Not Found" if status == 404 else " Internal Server Error"))]


def test_refused_feed_url_is_an_item_error() -> None:
    results = list(FeedSource("http://10.0.0.1/feed.xml", POLICY).items())
    assert len(results) == 1 and isinstance(results[0], ItemError) and "private address" in results[0].reason


def test_entry_without_text_is_an_item_error() -> None:
    start, end = RSS.index("<description>Short teaser."), RSS.index("</content:encoded>")
    doc = RSS[:start] + RSS[end + len("</content:encoded>"):]
    items, errors = split(list(parse_feed(doc.encode(), "https://gazette.example/rss")))
    assert len(items) == 1 and len(errors) == 1
    assert errors[0].reason == "entry has no summary or content"
    assert errors[0].item == "https://gazette.example/news/budget"


def test_feed_title_falls_back_to_the_given_title_then_host() -> None:
    doc = RSS.replace("<title>Harbour Gazette</title>", "").encode()
    named, _ = split(list(parse_feed(doc, "https://www.host.example/rss", fallback_title="From OPML")))
    unnamed, _ = split(list(parse_feed(doc, "https://www.host.example/rss")))
    assert named[0].outlet == "From OPML" and unnamed[0].outlet == "host.example"


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="News">
    <outline text="Harbour" title="Harbour Gazette" type="rss" xmlUrl="{rss}"/>
    <outline text="Wire" type="rss" xmlURL="{atom}"/>
  </outline>
  <outline text="Broken" type="rss" xmlUrl="{broken}"/>
  <outline text="Duplicate" type="rss" xmlUrl="{rss}"/>
  <outline text="Not a feed" htmlUrl="https://x.example/"/>
  <outline text="Bad scheme" xmlUrl="file:///etc/passwd"/>
</body></opml>
"""


def test_parse_opml_nested_deduplicated_and_relative() -> None:
    text = OPML.format(rss="https://a.example/rss", atom="/atom.xml", broken="https://b.example/feed")
    refs = parse_opml(text, base_url="https://lists.example/my.opml")
    assert refs == [FeedRef("https://a.example/rss", "Harbour Gazette"),
                    FeedRef("https://lists.example/atom.xml", "Wire"),
                    FeedRef("https://b.example/feed", "Broken")]


@pytest.mark.parametrize(("text", "reason"), [
    ("<html><body/></html>", "not an OPML document"),
    ("<opml><body><outline", "invalid OPML"),
    ('<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body>&a;</body></opml>', "entity"),
])
def test_parse_opml_rejects_bad_documents(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_opml(text)


def test_opml_source_reads_every_feed_despite_a_failing_one(server: LoopbackServer, tmp_path: Path) -> None:
    server.add("/rss", RSS)
    server.add("/atom", ATOM)
    path = tmp_path / "feeds.opml"
    path.write_text(OPML.format(rss=server.url("/rss"), atom=server.url("/atom"),
                                broken=server.url("/missing")))
    source = OpmlSource(path, POLICY)
    items, errors = split(list(source.items()))
    assert sorted(i.title or "" for i in items) == ["Council passes budget", "Ferry service resumes",
                                                    "Plain note", "Storm closes mountain pass"]
    assert errors == [ItemError(server.url("/missing"), "HTTP 404 Not Found")]
    assert [f.url for f in source.feeds] == [server.url("/rss"), server.url("/atom"), server.url("/missing")]


def test_opml_source_from_url_with_saved_validators(server: LoopbackServer) -> None:
    def rss(request: BaseHTTPRequestHandler) -> None:
        fresh = request.headers.get("If-None-Match") == '"r1"'
        body = b"" if fresh else RSS.encode()
        request.send_response(304 if fresh else 200)
        request.send_header("ETag", '"r1"')
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    server.routes["/rss"] = rss
    server.add("/atom", ATOM)
    server.add("/list.opml", OPML.format(rss="/rss", atom="/atom", broken="http://192.168.1.20/feed"),
               headers={"Content-Type": "text/x-opml"})
    first = OpmlSource(server.url("/list.opml"), POLICY)
    items, errors = split(list(first.items()))
    assert len(items) == 4 and len(errors) == 1 and "refused" in errors[0].reason
    saved = {f.url: (f.etag, f.last_modified) for f in first.feeds}
    again = OpmlSource(server.url("/list.opml"), POLICY, validators=saved)
    titles = [i.title for i in again.items() if isinstance(i, RawItem)]
    assert sorted(t or "" for t in titles) == ["Plain note", "Storm closes mountain pass"]  # RSS answered 304


def test_opml_source_missing_file_or_refused_url() -> None:
    assert list(OpmlSource("/nonexistent/feeds.opml", POLICY).items()) == [
        ItemError("/nonexistent/feeds.opml", "No such file or directory")]
    (error,) = list(OpmlSource("http://169.254.169.254/feeds.opml", POLICY).items())
    assert isinstance(error, ItemError) and "metadata" in error.reason
