"""The guarded HTTP client against a real server on 127.0.0.1; refused destinations never get a byte.

All traffic stays on loopback: private and metadata addresses are refused before any connection,
and names are resolved either from /etc/hosts ("localhost") or by an injected resolver.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from httpserver import LoopbackServer, serve

from bot.ingestion.fetch import (
    BlockedAddress,
    FetchError,
    FetchPolicy,
    SafeClient,
    address_problem,
    fetch,
    redact_url,
    vet_host,
)

LOOPBACK = FetchPolicy(allow_hosts=["127.0.0.1"], timeout=2.0, max_bytes=1_000_000)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with serve() as running:
        yield running


def conditional(etag: str, modified: str, body: bytes) -> object:
    """A handler answering 304 when the request's validators match."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        headers = request.headers
        if etag == headers.get("If-None-Match") or modified == headers.get("If-Modified-Since"):
            request.send_response(304)
            request.send_header("ETag", etag)
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("ETag", etag)
        request.send_header("Last-Modified", modified)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handler


def test_get_returns_body_headers_and_sends_user_agent(server: LoopbackServer) -> None:
    server.add("/hello", "héllo", headers={"Content-Type": "text/plain; charset=utf-8"})
    result = fetch(server.url("/hello"), LOOPBACK)
    assert result.status == 200 and result.content == "héllo".encode()
    assert result.text() == "héllo" and result.content_type == "text/plain" and result.charset == "utf-8"
    assert server.requests[0].headers["user-agent"] == LOOPBACK.user_agent


def test_conditional_get_with_etag_returns_not_modified(server: LoopbackServer) -> None:
    server.routes["/feed"] = conditional('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT", b"<rss/>")  # type: ignore[assignment]
    with SafeClient(LOOPBACK) as client:
        first = client.get(server.url("/feed"))
        again = client.get(server.url("/feed"), etag=first.etag)
    assert first.etag == '"v1"' and first.content == b"<rss/>" and not first.not_modified
    assert again.not_modified and again.status == 304 and again.content == b""
    assert again.etag == '"v1"' and server.requests[1].headers["if-none-match"] == '"v1"'


def test_conditional_get_with_last_modified(server: LoopbackServer) -> None:
    stamp = "Tue, 02 Jan 2024 10:00:00 GMT"
    server.routes["/feed"] = conditional('"other"', stamp, b"<rss/>")  # type: ignore[assignment]
    first = fetch(server.url("/feed"), LOOPBACK)
    again = fetch(server.url("/feed"), LOOPBACK, last_modified=first.last_modified)
    assert first.last_modified == stamp and again.not_modified
    assert server.requests[1].headers["if-modified-since"] == stamp
    assert "if-none-match" not in server.requests[1].headers


def test_redirects_are_followed_to_the_final_url(server: LoopbackServer) -> None:
    server.redirect("/old", "/middle", 301)
    server.redirect("/middle", server.url("/new"), 307)
    server.add("/new", "moved here")
    result = fetch(server.url("/old"), LOOPBACK)
    assert result.content == b"moved here" and result.final_url == server.url("/new")
    assert result.url == server.url("/old")


def test_redirect_limit(server: LoopbackServer) -> None:
    for n in range(5):
        server.redirect(f"/r{n}", f"/r{n + 1}")
    server.add("/r5", "end")
    policy = FetchPolicy(allow_hosts=["127.0.0.1"], max_redirects=3)
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/r0"), policy)
    assert len(server.requests) == 4
    assert fetch(server.url("/r0"), FetchPolicy(allow_hosts=["127.0.0.1"], max_redirects=5)).content == b"end"


def test_redirect_loop_stops(server: LoopbackServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/a"), LOOPBACK)


@pytest.mark.parametrize("location", ["http://10.0.0.7/feed", "http://192.168.1.1/", "http://[::1]:8080/",
                                      "http://169.254.169.254/latest/meta-data/",
                                      "http://metadata.google.internal/computeMetadata/v1/",
                                      "file:///etc/passwd"])
def test_redirect_to_a_forbidden_destination_is_refused(server: LoopbackServer, location: str) -> None:
    server.redirect("/go", location)
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/go"), LOOPBACK)
    assert "redirect 1" in caught.value.reason
    assert "refused" in caught.value.reason or "not allowed" in caught.value.reason


def test_redirect_to_a_name_resolving_privately_is_refused(server: LoopbackServer) -> None:
    seen: list[str] = []

    def resolve(host: str, port: int) -> list[IPv4Address | IPv6Address]:
        seen.append(host)
        return [ip_address("192.168.7.7")]

    server.redirect("/go", "http://intranet.localhost/admin")
    with SafeClient(LOOPBACK, resolve=resolve) as client, pytest.raises(FetchError) as caught:
        client.get(server.url("/go"))
    assert seen == ["intranet.localhost"]
    assert "intranet.localhost resolves to 192.168.7.7, a private address" in caught.value.reason


@pytest.mark.parametrize("url", ["http://10.1.2.3/", "http://192.168.0.10:8080/feed", "http://172.16.5.4/",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                                 "http://[fd00:ec2::254]/", "http://0.0.0.0/", "http://[::ffff:10.0.0.1]/",
                                 "http://metadata.google.internal/", "http://100.64.0.1/",
                                 "http://224.0.0.1/", "http://[fe80::1]/"])
def test_private_and_metadata_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        fetch(url, LOOPBACK)


def test_loopback_is_refused_unless_allowed(server: LoopbackServer) -> None:
    server.add("/", "secret admin page")
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address"):
        fetch(server.url("/"), FetchPolicy())
    with pytest.raises(FetchError, match=r"localhost resolves to .*, a loopback address"):
        fetch(server.url("/", host="localhost"), FetchPolicy())
    assert server.requests == []
    assert fetch(server.url("/", host="localhost"), FetchPolicy(allow_hosts=["localhost"])).status == 200


def test_connection_is_pinned_to_the_vetted_address() -> None:
    """The resolver is asked once and the socket goes to its answer (127.0.0.2), not to a new lookup."""
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[IPv4Address | IPv6Address]:
        calls.append(host)
        return [ip_address("127.0.0.2")] if len(calls) == 1 else [ip_address("10.9.9.9")]

    with serve("127.0.0.2") as other:
        other.add("/pinned", "reached 127.0.0.2")
        policy = FetchPolicy(allow_hosts=["localhost"], timeout=2.0)
        with SafeClient(policy, resolve=resolve) as client:
            result = client.get(f"http://localhost:{other.port}/pinned")
        assert result.content == b"reached 127.0.0.2"
        assert calls == ["localhost"]
        assert other.requests[0].headers["host"] == f"localhost:{other.port}"


def test_vet_host_policy() -> None:
    def resolve(host: str, port: int) -> list[IPv4Address | IPv6Address]:
        return [ip_address("93.184.216.34"), ip_address("10.0.0.5")] if host == "mixed.test" else []

    with pytest.raises(BlockedAddress, match=r"mixed\.test resolves to 10\.0\.0\.5"):
        vet_host("mixed.test", 80, FetchPolicy(), resolve)
    assert vet_host("10.0.0.5", 80, FetchPolicy(allow_hosts=["10.0.0.0/8"])) == [ip_address("10.0.0.5")]
    assert vet_host("mixed.test", 80, FetchPolicy(allow_hosts=["MIXED.test."]), resolve)
    with pytest.raises(BlockedAddress, match="metadata"):  # a broad CIDR does not unlock metadata
        vet_host("169.254.169.254", 80, FetchPolicy(allow_hosts=["169.254.0.0/16"]))
    assert vet_host("169.254.169.254", 80, FetchPolicy(allow_hosts=["169.254.169.254"]))


@pytest.mark.parametrize(("address", "refused"), [
    ("93.184.216.34", False), ("2606:4700::1111", False), ("64:ff9b::808:808", False),
    ("64:ff9b::a00:1", True), ("2002:c0a8:101::1", True), ("::ffff:127.0.0.1", True),
    ("127.5.5.5", True), ("198.18.0.1", True), ("239.1.2.3", True), ("ff02::1", True), ("::", True),
])
def test_address_problem(address: str, refused: bool) -> None:
    assert (address_problem(ip_address(address)) is not None) is refused


def test_size_cap_with_and_without_content_length(server: LoopbackServer) -> None:
    policy = FetchPolicy(allow_hosts=["127.0.0.1"], max_bytes=10_000)
    server.add("/big", b"x" * 20_000)
    server.add("/stream", b"x" * 20_000, content_length=False)
    server.add("/fits", b"x" * 10_000, content_length=False)
    with pytest.raises(FetchError, match="body over 10000 bytes"):
        fetch(server.url("/big"), policy)
    with pytest.raises(FetchError, match="body over 10000 bytes"):
        fetch(server.url("/stream"), policy)
    assert len(fetch(server.url("/fits"), policy).content) == 10_000


def test_gzip_bomb_stops_at_the_decoded_cap(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 30_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="body over 1000000 decoded bytes"):
            fetch(server.url("/bomb"), LOOPBACK)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 8_000_000  # never inflated past the cap (the whole bomb would be 30 MB)


def test_compressed_bodies_are_decoded(server: LoopbackServer) -> None:
    text = b"Storm hits the coast. " * 200
    raw_deflate = zlib.compressobj(wbits=-15)
    server.add("/gz", gzip.compress(text), headers={"Content-Encoding": "gzip"})
    gz, deflate = {"Content-Encoding": "gzip"}, {"Content-Encoding": "deflate"}
    server.add("/two", gzip.compress(text[:100]) + gzip.compress(text[100:]), headers=gz)
    server.add("/zlib", zlib.compress(text), headers=deflate)
    server.add("/raw", raw_deflate.compress(text) + raw_deflate.flush(), headers=deflate)
    server.add("/br", b"whatever", headers={"Content-Encoding": "br"})
    with SafeClient(LOOPBACK) as client:
        for path in ("/gz", "/two", "/zlib", "/raw"):
            assert client.get(server.url(path)).content == text, path
        with pytest.raises(FetchError, match="unsupported content-encoding"):
            client.get(server.url("/br"))
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_read_timeout(server: LoopbackServer) -> None:
    server.add("/slow", "late", delay=1.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(server.url("/slow"), FetchPolicy(allow_hosts=["127.0.0.1"], timeout=0.3))
    assert time.monotonic() - started < 1.2


def test_total_deadline_stops_a_trickling_body(server: LoopbackServer) -> None:
    def trickle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "1000")
        request.end_headers()
        for _ in range(100):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(0.05)

    server.routes["/trickle"] = trickle
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"gave up after 0\.5 s"):
        fetch(server.url("/trickle"), FetchPolicy(allow_hosts=["127.0.0.1"], timeout=1.0, total_timeout=0.5))
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404 Not Found"), (204, None),
                                                (500, "HTTP 500 Internal Server Error"),
                                                (300, "unexpected HTTP 300")])
def test_http_status(server: LoopbackServer, status: int, reason: str | None) -> None:
    server.add("/x", "body" if status != 204 else "", status=status)
    if reason is None:
        assert fetch(server.url("/x"), LOOPBACK).status == status
        return
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/x"), LOOPBACK)
    assert caught.value.reason.startswith(reason) and caught.value.status == status


def test_only_http_and_https() -> None:
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"):
        with pytest.raises(FetchError, match="not allowed, only http and https"):
            fetch(url, LOOPBACK)


def test_error_message_is_one_line_without_secrets(server: LoopbackServer) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(f"http://alice:hunter2@127.0.0.1:{server.port}/missing?api_key=abc123&page=2", LOOPBACK)
    message = str(caught.value)
    assert message == f"http://127.0.0.1:{server.port}/missing?api_key=REDACTED&page=2: HTTP 404 Not Found"
    assert "\n" not in message and "hunter2" not in message and "abc123" not in message


def test_redact_url() -> None:
    assert redact_url("https://u:p@example.com/a?token=t&x=1#frag") == "https://example.com/a?token=REDACTED&x=1"
    assert redact_url("https://example.com/feed") == "https://example.com/feed"


def test_connection_refused_is_a_fetch_error() -> None:
    with serve() as gone:
        port = gone.port
    with pytest.raises(FetchError, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/", LOOPBACK)
