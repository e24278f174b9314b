"""Security of fetching (docs/security.md maps each property to its test): where a fetch may go,
and size caps and decompression bombs.

Everything runs for real on loopback against tests/httpserver.py and the chat adapters' fake APIs.
Names that must resolve to a chosen address go through `fake_dns` (tests/conftest.py), which answers
the system resolver (`socket.getaddrinfo`) for `*.test` names only, so the fetcher's own
lookup-and-vet path is the one exercised.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import pytest
from admins import admin_config, layer_for
from fake_slack import FakeSlack
from fake_telegram import FakeTelegram
from httpserver import LoopbackServer
from test_commands import FixedNews, story
from test_slack import running as slack_running
from test_slack import wait
from test_telegram import running as telegram_running
from test_telegram import sent_after

from bot.commands.state import ChatStore
from bot.commands.urls import refuse_url
from bot.config import Config
from bot.ingestion import open_source
from bot.ingestion.base import ItemError
from bot.ingestion.fetch import FetchError, FetchPolicy, fetch
from bot.scheduling.polling import poll_source
from bot.storage.db import open_store

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>http://x.test/</link>
<item><title>Storm hits the coast</title><link>http://x.test/storm</link><guid>storm-1</guid>
<description>A storm hit the northern coast on Monday, cutting power to thousands of homes. Officials said
repairs would take several days as crews worked through the night.</description></item></channel></rss>"""


# --- 1. where a fetch may go --------------------------------------------------------------------

FORBIDDEN = [
    "http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/",
    "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/", "http://0/", "http://[::1]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:a9fe:a9fe]/",
    "http://10.0.0.8/feed", "http://192.168.1.1/", "http://172.16.0.1/", "http://[fd12::1]/",
    "http://169.254.169.254/latest/meta-data/", "http://169.254.169.254./", "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.google.internal./",
    "http://169.254.10.1/", "http://[fe80::1]/", "http://100.100.100.200/", "http://localhost/",
    "http://intranet.test/", "http://meta.test/", "http://meta6.test/", "http://mapped.test/",
    "http://linklocal.test/", "file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://93.184.215.14/x",
]
RESOLVES = {"intranet.test": "10.1.2.3", "meta.test": "169.254.169.254", "meta6.test": "fd00:ec2::254",
            "mapped.test": "::ffff:192.168.0.1", "linklocal.test": "fe80::99"}


@pytest.mark.parametrize("url", FORBIDDEN)
def test_forbidden_destinations_are_refused_by_addsource_and_by_the_fetcher(
        url: str, fake_dns: dict[str, str]) -> None:
    fake_dns.update(RESOLVES)
    assert refuse_url(url) is not None
    with pytest.raises(FetchError) as caught:
        fetch(url, FetchPolicy(timeout=1.0))
    assert any(w in caught.value.reason for w in ("refused", "not allowed", "invalid URL")), caught.value


def test_allow_hosts_opens_exactly_what_it_names(fake_dns: dict[str, str]) -> None:
    fake_dns.update(RESOLVES)
    assert refuse_url("http://intranet.test/feed", ["intranet.test"]) is None
    assert refuse_url("http://10.1.2.3/feed", ["10.0.0.0/8"]) is None
    assert refuse_url("http://intranet.test/feed", ["other.test"]) is not None
    assert refuse_url("http://169.254.169.254/", ["169.254.0.0/16"]) is not None  # metadata only by name


def test_addsource_through_telegram_refuses_private_targets(
        telegram_api: FakeTelegram, sqlite_url: str, fake_dns: dict[str, str]) -> None:
    fake_dns.update(RESOLVES)
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))
    bad = ["http://2130706433/rss", "http://[::ffff:169.254.169.254]/", "http://intranet.test/rss",
           "http://meta6.test/", "http://metadata.google.internal/", "file:///etc/passwd",
           "gopher://93.184.215.14/"]

    async def scenario() -> list[dict[str, Any]]:
        async with telegram_running(telegram_api, layer):
            for url in bad:
                telegram_api.push_message(42, 5, f"/addsource {url}")
            telegram_api.push_message(42, 5, "/addsource https://93.184.215.14/rss")  # public: accepted
            return await sent_after(telegram_api, len(bad) + 1)

    sent = asyncio.run(scenario())
    refusals = [m["plain"] for m in sent if m["plain"].startswith("Cannot add")]
    assert len(refusals) == len(bad)
    assert [loc for _, loc, _ in layer.store.sources()] == ["https://93.184.215.14/rss"]


def test_addsource_through_slack_refuses_private_targets(
        slack_api: FakeSlack, sqlite_url: str, fake_dns: dict[str, str]) -> None:
    fake_dns.update(RESOLVES)
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))

    async def scenario() -> None:
        async with slack_running(slack_api, layer) as bolt:
            await bolt.slash("http://meta.test/latest", command="/addsource", user="UADMIN")
            await bolt.slash("addsource http://0x7f.1/", user="UADMIN")
            await wait(slack_api, 2, "chat.postEphemeral")

    asyncio.run(scenario())
    assert all(p["text"].startswith("Cannot add") for p in slack_api.posts("chat.postEphemeral"))
    assert layer.store.sources() == []


def _opml(*urls: str) -> str:
    outlines = "".join(f'<outline type="rss" text="f" xmlUrl="{u}"/>' for u in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'


@pytest.mark.parametrize("kind", ["feed:", "page:", "opml:", "bare", "poll"])
def test_every_fetch_path_vets_the_resolved_address(
        kind: str, loopback: LoopbackServer, fake_dns: dict[str, str], sqlite_url: str) -> None:
    """feeds.test resolves to 127.0.0.1, where a real server answers: refused unless allowed by name."""
    fake_dns["feeds.test"] = "127.0.0.1"
    loopback.add("/feed", RSS, headers={"Content-Type": "application/rss+xml"})
    loopback.add("/list.opml", _opml(loopback.url("/feed", host="feeds.test")))
    loopback.add("/page", "<html><head><title>Storm</title></head><body><article><p>"
                 + "A storm hit the northern coast on Monday. " * 5 + "</p></article></body></html>",
                 headers={"Content-Type": "text/html"})
    path = {"opml:": "/list.opml", "page:": "/page"}.get(kind, "/feed")
    url = loopback.url(path, host="feeds.test")
    location = url if kind in ("bare", "poll") else kind + url
    refused, allowed = admin_config(), admin_config(fetch={"allow_hosts": ["feeds.test"]})

    def run(config: Config) -> list[str]:
        if kind == "poll":
            engine = open_store(sqlite_url)
            source_id, _ = ChatStore(engine).add_source(location, None)
            outcome = poll_source(engine, config, source_id)
            return [outcome.error] if outcome.error else []
        return [i.reason for i in open_source(location, config.fetch).items() if isinstance(i, ItemError)]

    errors = run(refused)
    assert errors and "feeds.test resolves to 127.0.0.1, a loopback address" in errors[0]
    assert loopback.requests == []  # not one byte reached the server
    assert run(allowed) == [] and loopback.requests


def test_opml_listed_feeds_are_vetted_one_by_one(loopback: LoopbackServer, fake_dns: dict[str, str]) -> None:
    fake_dns.update(RESOLVES)
    loopback.add("/list.opml", _opml("http://intranet.test/a", "file:///etc/passwd",
                                     "http://169.254.169.254/latest/", "gopher://127.0.0.1/"))
    config = admin_config(fetch={"allow_hosts": ["127.0.0.1"]})
    items = list(open_source(loopback.url("/list.opml"), config.fetch).items())
    reasons = [i.reason for i in items if isinstance(i, ItemError)]
    # file: and gopher: entries are dropped by the OPML reader; the http ones are fetched and refused.
    assert len(items) == 2 and all("refused" in r for r in reasons), reasons


@pytest.mark.parametrize("kind", ["feed:", "bare", "poll"])
def test_redirect_hops_are_vetted_on_every_path(
        kind: str, loopback: LoopbackServer, fake_dns: dict[str, str], sqlite_url: str) -> None:
    """Allowed by name, the server redirects to its own IP (not allowed): the hop is refused."""
    fake_dns["feeds.test"] = "127.0.0.1"
    loopback.redirect("/go", loopback.url("/feed"))
    loopback.add("/feed", RSS)
    config = admin_config(fetch={"allow_hosts": ["feeds.test"]})
    url = loopback.url("/go", host="feeds.test")
    if kind == "poll":
        engine = open_store(sqlite_url)
        source_id, _ = ChatStore(engine).add_source(url, None)
        error = poll_source(engine, config, source_id).error or ""
    else:
        items = list(open_source(("feed:" if kind == "feed:" else "") + url, config.fetch).items())
        error = " ".join(i.reason for i in items if isinstance(i, ItemError))
    assert "redirect 1" in error and "127.0.0.1 is a loopback address" in error
    assert [r.path for r in loopback.requests] == ["/go"]


# --- 2. size caps and bombs -----------------------------------------------------------------------


def _raw_deflate(data: bytes) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


BOMBS = {
    "gzip": (gzip.compress(b"\0" * 20_000_000, 9), "gzip"),
    "gzip members": (b"".join(gzip.compress(b"\0" * 400_000, 9) for _ in range(10)), "gzip"),
    "zlib deflate": (zlib.compress(b"\0" * 20_000_000, 9), "deflate"),
    "raw deflate": (_raw_deflate(b"\0" * 20_000_000), "deflate"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_decompression_bombs_stop_at_the_cap_on_the_feed_path(name: str, loopback: LoopbackServer) -> None:
    body, coding = BOMBS[name]
    assert len(body) < 100_000
    loopback.add("/bomb", body, headers={"Content-Encoding": coding, "Content-Type": "application/rss+xml"})
    config = admin_config(fetch={"allow_hosts": ["127.0.0.1"], "max_bytes": 1_000_000})
    items = list(open_source("feed:" + loopback.url("/bomb"), config.fetch).items())
    assert len(items) == 1 and isinstance(items[0], ItemError)
    assert "body over 1000000 decoded bytes" in items[0].reason


@pytest.mark.parametrize("coding", ["br", "gzip, br", "gzip, gzip", "zstd", "compress"])
def test_encodings_we_did_not_ask_for_are_refused(coding: str, loopback: LoopbackServer) -> None:
    loopback.add("/x", b"\x1f\x8b whatever", headers={"Content-Encoding": coding})
    with pytest.raises(FetchError, match="unsupported content-encoding"):
        fetch(loopback.url("/x"), FetchPolicy(allow_hosts=["127.0.0.1"]))
    assert loopback.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_oversized_plain_body_on_the_page_path(loopback: LoopbackServer) -> None:
    loopback.add("/page", b"<p>" + b"x" * 300_000, content_length=False)
    config = admin_config(fetch={"allow_hosts": ["127.0.0.1"], "max_bytes": 100_000})
    items = list(open_source("page:" + loopback.url("/page"), config.fetch).items())
    assert [i.reason for i in items if isinstance(i, ItemError)] == ["body over 100000 bytes"]
