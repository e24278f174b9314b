"""The safety check of `/addsource`: a chat user must not point the fetcher at our own network.

The decision is the fetcher's own (`bot.ingestion.netguard.vet_host`), so `/addsource` and every later
fetch agree; the fetcher still re-checks each connection and redirect hop, so this is the first gate,
not the only one.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.ingestion.netguard import BlockedAddress, FetchPolicy, vet_host


def refuse_url(url: str, allow_hosts: Sequence[str] = ()) -> str | None:
    """Why `url` may not become a source (None when it may): scheme, credentials, private addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "only http:// and https:// URLs can be added"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "the URL has no host"
    if parts.username or parts.password:
        return "URLs with credentials are not accepted"
    local = host == "localhost" or host.endswith((".localhost", ".internal", ".local"))
    if local and host not in allow_hosts:
        return f"{host} is a local name"
    try:
        vet_host(host, port, FetchPolicy(allow_hosts=tuple(allow_hosts)))
    except BlockedAddress as exc:
        return str(exc).removeprefix("refused: ")
    return None
