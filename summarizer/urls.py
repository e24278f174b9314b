"""URL normalisation: one spelling per article address, and no tracking noise in stored text.

Feeds and share links hand out the same article under many spellings (`utm_*` campaign tags, click
ids, `#comments`, `:443`, upper-case hosts). Deduplication compares `canonicalize_url` results, and
URLs quoted inside article text keep their meaning but lose the tracking (`strip_tracking_params`).
Both functions are pure and never raise: a string that is not a parsable URL comes back trimmed.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# query keys that only say who shared or clicked a link, never which page it is (lower-cased)
_TRACKING_KEYS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hstc",
    "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    "vero_conv", "rb_clickid", "s_cid", "ref_src", "ref_url", "cmpid", "ocid", "icid", "ncid",
    "sr_share", "smid", "smtyp", "xtor", "spm", "scid", "guccounter", "guce_referrer",
    "guce_referrer_sig", "__twitter_impression", "at_medium", "at_campaign", "at_source",
    "at_custom1", "at_custom2", "at_custom3", "at_custom4", "ito", "soc_src", "soc_trk", "wt_mc",
    "wt.mc_id", "wt.mc_ev", "_branch_match_id", "_branch_referrer", "cvid", "sfnsn",
})
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hmb_", "oly_", "vero_", "__hs", "_hs", "wt.")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_CONTROL = "".join(chr(c) for c in range(0x21))
_SCHEME_OK = re.compile(r"^[a-z][a-z0-9+.-]*$")


def _trim(url: str) -> str:
    """Without surrounding whitespace and control characters (urlsplit drops the latter itself)."""
    while True:
        trimmed = url.strip().strip(_CONTROL)
        if trimmed == url:
            return url
        url = trimmed


def _is_tracking(raw_key: str) -> bool:
    key = unquote_plus(raw_key).strip().lower()
    return key in _TRACKING_KEYS or key.startswith(_TRACKING_PREFIXES)


def _clean_query(query: str, *, sort: bool) -> str:
    """The query without tracking pairs; pairs keep their original encoding (`a+b` stays `a+b`)."""
    if not query:
        return ""
    pairs = [p for p in re.split(r"[&;]", query) if p and not _is_tracking(p.split("=", 1)[0])]
    if sort:  # by key only: the order of a repeated key (a=1&a=2) can carry meaning
        pairs.sort(key=lambda p: unquote_plus(p.split("=", 1)[0]))
    return "&".join(pairs)


def strip_tracking_params(url: str) -> str:
    """`url` without tracking query parameters; everything else, fragment included, is kept as is."""
    if "?" not in url:
        return url
    head, _, rest = url.partition("?")
    query, hash_, fragment = rest.partition("#")
    kept = _clean_query(query, sort=False)
    return head + ("?" + kept if kept else "") + hash_ + fragment


def canonicalize_url(url: str) -> str:
    """One spelling per address, for deduplication.

    Lower-cases scheme and host, drops the fragment, a default port, a trailing dot on the host and
    tracking parameters, sorts the query by key and gives an empty http(s) path as "/". Percent
    encoding and path case are kept: servers may treat them as meaningful. The result is its own
    canonical form (malformed input can need a second round, e.g. when dropping "#" leaves a space).
    """
    result = _canonical_once(url)
    for _ in range(3):
        again = _canonical_once(result)
        if again == result:
            break
        result = again
    return result


def _canonical_once(url: str) -> str:
    text = _trim(url)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # e.g. an unclosed IPv6 bracket or a non-numeric port
        return text
    scheme = parts.scheme.lower()
    if not scheme or not _SCHEME_OK.match(scheme) or not parts.netloc:
        return urlunsplit(parts._replace(query=_clean_query(parts.query, sort=True), fragment=""))
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path or ("/" if scheme in ("http", "https") else "")
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query, sort=True), ""))
