"""Where a fetch may connect: address vetting after DNS resolution, pinned to the vetted addresses.

`PinnedBackend` is an httpcore network backend: its `connect_tcp` resolves the host itself, refuses
unless every resolved address may be reached (public, or named by `FetchPolicy.allow_hosts`), then
opens the socket to one of exactly those vetted addresses. There is no second DNS lookup between check
and connect, so a rebinding answer cannot slip in; the URL's hostname is still sent as `Host` and used
for TLS SNI and certificate checks.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

import httpcore
import httpx

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], list[IPAddress]]

METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "instance-data.ec2.internal"})
METADATA_ADDRESSES = frozenset(ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
NAT64 = ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch; `allow_hosts` names hostnames, IPs or CIDRs that may be non-public."""

    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_hosts: Sequence[str] = ()
    user_agent: str = "newsdigest/0.1 (self-hosted news digest bot)"
    total_timeout: float = 60.0


class BlockedAddress(Exception):
    """Raised inside the connection when a destination is refused; turned into a `FetchError`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# --- which destinations may be reached --------------------------------------------------------


def normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True)
class AllowList:
    names: frozenset[str] = frozenset()
    networks: tuple[IPv4Network | IPv6Network, ...] = field(default=())

    @classmethod
    def of(cls, entries: Iterable[str]) -> AllowList:
        names: set[str] = set()
        nets: list[IPv4Network | IPv6Network] = []
        for entry in entries:
            try:
                nets.append(ip_network(normal_host(entry), strict=False))
            except ValueError:
                names.add(normal_host(entry))
        return cls(frozenset(names), tuple(nets))

    def admits(self, ip: IPAddress) -> bool:
        """A CIDR admits its addresses, but a metadata address only when named on its own."""
        return any(ip in net and (ip not in METADATA_ADDRESSES or net.num_addresses == 1)
                   for net in self.networks)


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` is not a public destination (loopback, private, metadata...), or None if it is."""
    if isinstance(ip, IPv6Address):
        embedded = ip.ipv4_mapped or (IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        if embedded is not None:
            return address_problem(embedded)
        for inner in (ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if inner is not None and (problem := address_problem(inner)):
                return f"{problem} (embedded in {ip})"
    checks = (("a cloud metadata address", ip in METADATA_ADDRESSES), ("a loopback address", ip.is_loopback),
              ("a link-local address", ip.is_link_local), ("a multicast address", ip.is_multicast),
              ("an unspecified address", ip.is_unspecified), ("a private address", ip.is_private),
              ("a reserved address", ip.is_reserved), ("not a public address", not ip.is_global))
    return next((name for name, hit in checks if hit), None)


def system_resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses the system resolver gives for `host`, in its order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedAddress(f"cannot resolve {host} ({exc})") from None
    found: list[IPAddress] = []
    for info in infos:
        ip = ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    return found


def vet_host(host: str, port: int, policy: FetchPolicy,
             resolve: Resolver = system_resolve) -> list[IPAddress]:
    """The addresses `host` may be reached at; raise BlockedAddress naming the first refused one.

    A host named in `allow_hosts` may resolve anywhere; otherwise every resolved address must be
    public or inside an allowed IP/CIDR (one bad answer refuses the host, so mixed answers can't win).
    """
    allow = AllowList.of(policy.allow_hosts)
    name = normal_host(host)
    if name in allow.names:
        return resolve(name, port)
    if name in METADATA_HOSTS:
        raise BlockedAddress(f"refused: {name} is a cloud metadata host")
    try:
        literal: IPAddress | None = ip_address(name)
    except ValueError:
        literal = None
    addresses = [literal] if literal is not None else resolve(name, port)
    if not addresses:
        raise BlockedAddress(f"cannot resolve {name}")
    for ip in addresses:
        if isinstance(ip, IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        problem = address_problem(ip)
        if problem and not allow.admits(ip):
            where = f"{ip} is" if literal is not None else f"{name} resolves to {ip},"
            raise BlockedAddress(f"refused: {where} {problem}")
    return addresses


class PinnedBackend(httpcore.SyncBackend):
    """Connects only to addresses that `vet_host` approved, from the one lookup that was vetted."""

    def __init__(self, policy: FetchPolicy, resolve: Resolver = system_resolve) -> None:
        self.policy = policy
        self.resolve = resolve

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for ip in vet_host(host, port, self.policy, self.resolve):
            try:
                return super().connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or BlockedAddress(f"cannot resolve {host}")


_HTTPCORE_TO_HTTPX: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout, httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout, httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException, httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError, httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError, httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol, httpcore.NetworkError: httpx.NetworkError,
}


def _as_httpx(exc: Exception) -> Exception:
    for cls in type(exc).__mro__:
        if cls in _HTTPCORE_TO_HTTPX:
            return _HTTPCORE_TO_HTTPX[cls](str(exc))
    return exc


class _Stream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Any:
        try:
            yield from self._stream
        except Exception as exc:
            raise _as_httpx(exc) from exc

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that connects through `PinnedBackend`, no proxies."""

    def __init__(self, backend: PinnedBackend) -> None:
        self._pool = httpcore.ConnectionPool(network_backend=backend, max_connections=8,
                                             max_keepalive_connections=4, keepalive_expiry=5.0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                           port=request.url.port, target=request.url.raw_path)
        core = httpcore.Request(method=request.method, url=url, headers=request.headers.raw,
                                content=request.stream, extensions=request.extensions)
        try:
            response = self._pool.handle_request(core)
        except Exception as exc:
            raise _as_httpx(exc) from exc
        assert isinstance(response.stream, Iterable)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_Stream(response.stream), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()
