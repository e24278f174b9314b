"""Argument parsers of the commands: text in, typed values out, `UsageError` for anything else.

Parsers are pure and strict, so a wrong argument never reaches a handler and the user gets the usage
line instead of a half-applied change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands.core import UsageError

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?$", re.S)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$", re.ASCII)
_SLACK_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^(?:\d{1,20}|[UW][A-Z0-9]{2,20})$")
MAX_KEYWORDS = 20
MAX_QUESTION = 500
SET_KEYS = ("max_stories", "summary_length", "quotes", "keywords")


def split_command(text: str, bot_username: str | None = None) -> tuple[str, str] | None:
    """`/name@bot args` -> (name, args); None if it is not a command or is meant for another bot."""
    m = _COMMAND.match(text.strip())
    if not m:
        return None
    name, target, args = m.group(1).lower(), m.group(2), (m.group(3) or "").strip()
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name, args


def no_args(text: str) -> None:
    """Commands without arguments ignore trailing words (people add 'please')."""
    return None


def keywords(text: str) -> list[str]:
    words = [w.strip().lower() for w in re.split(r"[,\s]+", text) if w.strip()]
    words = list(dict.fromkeys(words))
    if len(words) > MAX_KEYWORDS or any(len(w) > 64 for w in words):
        raise UsageError(f"at most {MAX_KEYWORDS} keywords of up to 64 characters")
    return words


def optional_keywords(text: str) -> list[str] | None:
    return keywords(text) if text.strip() else None


def question(text: str) -> str:
    q = " ".join(text.split())
    if not q:
        raise UsageError("a question is needed")
    if len(q) > MAX_QUESTION:
        raise UsageError(f"questions are limited to {MAX_QUESTION} characters")
    return q


@dataclass(frozen=True)
class NewSource:
    url: str
    name: str | None


def new_source(text: str) -> NewSource:
    parts = text.split(maxsplit=1)
    if not parts or "://" not in parts[0]:
        raise UsageError("a URL is needed")
    name = parts[1].strip()[:256] if len(parts) > 1 else None
    return NewSource(url=parts[0].strip("<>"), name=name or None)


def _number(text: str, problem: str) -> int:
    """A decimal number: `"²".isdigit()` is true but int() refuses it, and so it does 5,000 digits."""
    t = text.strip()
    if not t.isdecimal() or len(t) > 18:
        raise UsageError(problem)
    return int(t)


def source_id(text: str) -> int:
    return _number(text, "a source id (a number from /sources) is needed")


@dataclass(frozen=True)
class Schedule:
    times: tuple[str, ...]
    timezone: str | None


def schedule(text: str) -> Schedule:
    """`HH:MM[,HH:MM…] [Area/City]`, or `off`; times are normalised to HH:MM and sorted."""
    parts = text.split()
    if parts == ["off"]:
        return Schedule(times=(), timezone=None)
    if not parts or len(parts) > 2:
        raise UsageError("times are needed")
    times = []
    for t in parts[0].split(","):
        m = _TIME.match(t.strip())
        if not m:
            raise UsageError(f"{t!r} is not a time like 08:30")
        times.append(f"{int(m.group(1)):02d}:{m.group(2)}")
    tz = None
    if len(parts) == 2:
        tz = parts[1]
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", a name too long
            raise UsageError(f"{tz!r} is not an IANA time zone like Europe/Berlin") from None
    return Schedule(times=tuple(sorted(set(times))), timezone=tz)


@dataclass(frozen=True)
class Setting:
    key: str
    value: int | bool | list[str]


_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"off", "false", "no", "0"}


def setting(text: str) -> Setting:
    parts = text.split(maxsplit=1)
    if len(parts) != 2:
        raise UsageError("a key and a value are needed")
    key, raw = parts[0].lower().replace("-", "_"), parts[1].strip()
    if key == "max_stories":
        n = _number(raw, "max_stories is a number from 1 to 100")
        if not 1 <= n <= 100:
            raise UsageError("max_stories is a number from 1 to 100")
        return Setting(key, n)
    if key == "summary_length":
        n = _number(raw, "summary_length is a number of characters from 100 to 4000")
        if not 100 <= n <= 4000:
            raise UsageError("summary_length is a number of characters from 100 to 4000")
        return Setting(key, n)
    if key == "quotes":
        if raw.lower() not in _TRUE | _FALSE:
            raise UsageError("quotes is on or off")
        return Setting(key, raw.lower() in _TRUE)
    if key == "keywords":
        return Setting(key, [] if raw.lower() in ("none", "-", "off") else keywords(raw))
    raise UsageError(f"unknown key {parts[0]!r}; keys: {', '.join(SET_KEYS)}")


@dataclass(frozen=True)
class AdminsAction:
    action: str
    user_id: str | None = None


def admins(text: str) -> AdminsAction:
    parts = text.split()
    if parts == ["list"] or not parts:
        return AdminsAction("list")
    if len(parts) == 2 and parts[0] in ("add", "remove"):
        user = parts[1]
        m = _SLACK_USER.match(user)
        if m:
            user = m.group(1)
        if not _USER_ID.match(user):
            raise UsageError("a user id is needed (a number in Telegram, U… in Slack)")
        return AdminsAction(parts[0], user)
    raise UsageError("list, add USER_ID or remove USER_ID")


def story_ref(text: str) -> int:
    return _number(text, "a story number is needed")
