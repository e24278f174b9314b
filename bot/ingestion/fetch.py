"""The one way newsdigest reaches the network: a guarded HTTP GET for feeds, pages and OPML lists.

Feed and page URLs come from users, so every fetch is a possible SSRF. The guards, and why they hold:

- Address vetting lives *inside the connection* (`bot.ingestion.netguard.PinnedBackend`): the host is
  resolved once, every address vetted, and the socket opened to a vetted address only, so a DNS
  rebinding between check and connect cannot slip in.
- Because every connection goes through that backend, every redirect hop is vetted as well. Redirects
  are followed by hand (up to `max_redirects`) so each hop's URL is also checked for scheme (http/https
  only) and cloud-metadata names before any connection is made.
- Environment proxies are ignored (`trust_env=False`): a proxy would resolve names for us.
- Bodies are read raw and inflated here with bounded zlib calls, so `max_bytes` counts *decoded* bytes
  and a gzip bomb stops at the cap without ever being inflated in memory.
- `FetchError` messages are one line and never carry URL userinfo or secret-looking query values.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from charset_normalizer import from_bytes

from bot.ingestion.netguard import (
    METADATA_HOSTS,
    AllowList,
    BlockedAddress,
    FetchPolicy,
    PinnedBackend,
    PinnedTransport,
    Resolver,
    address_problem,
    normal_host,
    system_resolve,
    vet_host,
)

__all__ = ["BlockedAddress", "FetchError", "FetchPolicy", "FetchResult", "SafeClient", "address_problem",
           "fetch", "redact_url", "vet_host"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SECRET_PARAMS = ("token", "key", "secret", "password", "passwd", "auth", "sig", "signature", "session")


class FetchError(Exception):
    """A fetch that failed; the message is one line naming the (redacted) URL and the reason."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = redact_url(url)
        self.reason = " ".join(str(reason).split())[:300] or "unknown error"
        self.status = status
        super().__init__(f"{self.url}: {self.reason}")


def redact_url(url: str) -> str:
    """The URL without userinfo and with secret-looking query values hidden, safe for logs."""
    try:
        parts = urlsplit("".join(ch for ch in str(url) if ch.isprintable()))
        netloc = parts.netloc.rsplit("@", 1)[-1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, "REDACTED" if any(s in k.lower() for s in SECRET_PARAMS) else v)
                               for k, v in pairs], safe="/:")
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return "<invalid URL>"


# --- bounded body decoding --------------------------------------------------------------------


class _TooBig(Exception):
    pass


class _Inflater:
    """Decodes a Content-Encoding chunk by chunk, never producing more than the room left."""

    def __init__(self, encoding: str) -> None:
        codings = [c for c in (part.strip().lower() for part in encoding.split(","))
                   if c not in ("", "identity")]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise ValueError(f"unsupported content-encoding {encoding!r}")
        self.coding = codings[0] if codings else None
        self._wbits = 16 + zlib.MAX_WBITS if self.coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes, room: int) -> bytes:
        if self.coding is None:
            if len(data) > room:
                raise _TooBig
            return data
        out = bytearray()
        while data:
            try:
                piece = self._z.decompress(data, room - len(out) + 1)
            except zlib.error:
                if self.coding == "deflate" and not self._started:  # raw deflate, no zlib header
                    self._wbits, self._z = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise ValueError("corrupt compressed body") from None
            self._started = True
            out += piece
            if len(out) > room:
                raise _TooBig
            if self._z.eof:
                data = self._z.unused_data
                if not data.strip(b"\0") or self._wbits < 0:
                    break
                self._z = zlib.decompressobj(self._wbits)  # a further gzip member
            else:
                data = self._z.unconsumed_tail
        return bytes(out)


# --- the client -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch, or a `not_modified` answer to a conditional GET (then `content` is empty)."""

    url: str
    final_url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    def text(self) -> str:
        """The body as text: the declared charset, else UTF-8, else a detected encoding."""
        if self.charset:
            try:
                return self.content.decode(self.charset, errors="replace")
            except (LookupError, ValueError):  # unknown, or "undefined": a codec that always fails
                pass
        try:
            return self.content.decode("utf-8-sig")
        except UnicodeDecodeError:
            best = from_bytes(self.content).best()
            return str(best) if best is not None else self.content.decode("latin-1")


class SafeClient:
    """GETs under a `FetchPolicy`; reuse one for many URLs (connections are pooled). Close it after."""

    def __init__(self, policy: FetchPolicy | None = None, resolve: Resolver = system_resolve) -> None:
        self.policy = policy or FetchPolicy()
        self._allow = AllowList.of(self.policy.allow_hosts)
        transport = PinnedTransport(PinnedBackend(self.policy, resolve))
        self._client = httpx.Client(transport=transport, trust_env=False, follow_redirects=False,
                                    timeout=httpx.Timeout(self.policy.timeout),
                                    headers={"User-Agent": self.policy.user_agent,
                                             "Accept-Encoding": "gzip, deflate"})

    def __enter__(self) -> SafeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: str | None = None) -> FetchResult:
        """GET `url` following vetted redirects; raise FetchError for anything but 2xx or 304."""
        policy = self.policy
        deadline = time.monotonic() + policy.total_timeout
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        wait = policy.timeout
        for hop in range(policy.max_redirects + 1):
            where = "" if hop == 0 else f" (redirect {hop} to {redact_url(current)})"
            try:
                target = self._check_url(current)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FetchError(url, f"gave up after {policy.total_timeout:g} s{where}")
                wait = min(policy.timeout, remaining)
                with self._client.stream("GET", target, headers=headers,
                                         timeout=httpx.Timeout(wait)) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = str(target.join(location.strip()))
                        continue
                    return self._result(url, str(target), response, deadline, etag, last_modified)
            except BlockedAddress as exc:
                raise FetchError(url, exc.reason + where) from None
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"invalid URL ({exc}){where}") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, _transport_reason(exc, wait) + where) from None
        raise FetchError(url, f"too many redirects (more than {policy.max_redirects})")

    def _check_url(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise BlockedAddress(f"invalid URL ({exc})") from None
        if target.scheme not in ("http", "https"):
            raise BlockedAddress(f"scheme {target.scheme or '(none)'!r} not allowed, only http and https")
        if not target.host:
            raise BlockedAddress("URL has no host")
        host = normal_host(target.host)
        if host in METADATA_HOSTS and host not in self._allow.names:
            raise BlockedAddress(f"refused: {host} is a cloud metadata host")
        return target

    def _result(self, url: str, final_url: str, response: httpx.Response, deadline: float,
                etag: str | None, last_modified: str | None) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        new_etag = headers.get("etag") or etag
        new_modified = headers.get("last-modified") or last_modified
        if status == 304:
            return FetchResult(url, final_url, status, b"", headers, new_etag, new_modified,
                               not_modified=True)
        if status >= 400:
            raise FetchError(url, f"HTTP {status} {response.reason_phrase}".strip(), status)
        if not 200 <= status < 300:
            raise FetchError(url, f"unexpected HTTP {status} {response.reason_phrase}".strip(), status)
        content = self._read_body(url, response, headers, deadline)
        return FetchResult(url, final_url, status, content, headers, headers.get("etag"),
                           headers.get("last-modified"))

    def _read_body(self, url: str, response: httpx.Response, headers: Mapping[str, str],
                   deadline: float) -> bytes:
        cap = self.policy.max_bytes
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(url, f"body over {cap} bytes (Content-Length {declared})")
        try:
            inflater = _Inflater(headers.get("content-encoding", ""))
        except ValueError as exc:
            raise FetchError(url, str(exc)) from None
        body = bytearray()
        raw = 0
        try:
            for chunk in response.iter_raw():
                raw += len(chunk)
                if raw > cap:
                    raise _TooBig
                body += inflater.decode(chunk, cap - len(body))
                if time.monotonic() > deadline:
                    raise FetchError(url, f"gave up after {self.policy.total_timeout:g} s reading the body")
        except _TooBig:
            decoded = " decoded" if inflater.coding else ""
            raise FetchError(url, f"body over {cap}{decoded} bytes") from None
        except ValueError as exc:
            raise FetchError(url, str(exc)) from None
        return bytes(body)


def _transport_reason(exc: httpx.HTTPError, wait: float) -> str:
    detail = " ".join(str(exc).split())[:160]
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out after {wait:.3g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {wait:.3g} s waiting for the server"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({detail or 'connection failed'})"
    if isinstance(exc, httpx.ProtocolError):
        return f"bad HTTP response ({detail or type(exc).__name__})"
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def fetch(url: str, policy: FetchPolicy | None = None, *, etag: str | None = None,
          last_modified: str | None = None, accept: str | None = None) -> FetchResult:
    """One guarded GET with a client of its own (use `SafeClient` to fetch many URLs)."""
    with SafeClient(policy) as client:
        return client.get(url, etag=etag, last_modified=last_modified, accept=accept)
