"""Secrets out of every log line: known secret values and token shapes are replaced before any handler.

Libraries log what they do, and what they do carries our secrets: httpx logs each Bot API request URL
(`.../bot<TOKEN>/sendMessage`) at INFO, exceptions repeat URLs and connection strings, a Slack token
can travel in a repr. `Redactor` is a `logging.Filter` that rewrites a record in place (message,
arguments, exception and stack text, string extras), so any formatter, plain or JSON, only ever sees
the redacted text. `install` runs it on every record as it is created (through the log record
factory), so handlers added later (by other code, by pytest) are covered too.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

MASK = "[REDACTED]"
# Values shorter than this are not redacted by value (they would blank ordinary words); the token
# patterns below still catch them in their usual places.
MIN_SECRET = 6
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
              "SLACK_APP_TOKEN", "NEWSDIGEST_LLM_API_KEY", "OPENAI_API_KEY")
URL_ENV = ("NEWSDIGEST_DB_URL", "NEWSDIGEST_REDIS_URL", "NEWSDIGEST_LLM_URL")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram: the token in Bot API paths (/bot123:ABC/...), and a bare token anywhere.
    (re.compile(r"(?<=/bot)\d+:[^/\s\"']+"), MASK),
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),
    # Slack bot/user/app/refresh tokens.
    (re.compile(r"\bx(?:ox[abeoprs]|app)-[A-Za-z0-9-]{8,}"), MASK),
    # OpenAI-style API keys, and credentials in HTTP authorization headers.
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\1\2{MASK}"),
    # Passwords in URLs (postgresql://user:secret@host) and in key=value connection strings.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), rf"\1{MASK}@"),
    (re.compile(r"(?i)\b(password|passwd|pwd)(\s*[=:]\s*)(?!\[REDACTED\])[^\s&,;'\"]+"), rf"\1\2{MASK}"),
    # Secret-looking query parameters.
    (re.compile(r"(?i)([?&][\w-]*(?:token|secret|api_?key|signature|sig|auth)[\w-]*=)[^&\s#\"']+"),
     rf"\1{MASK}"),
)

# LogRecord attributes that are not user extras (extras are redacted too when they are strings).
_STANDARD = frozenset(vars(logging.LogRecord("n", 0, "p", 0, "m", None, None))) | {"message", "asctime"}


def url_password(url: str | None) -> str | None:
    """The password inside a URL (a DB or Redis URL), or None."""
    if not url:
        return None
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def secrets_from_env(environ: dict[str, str] | None = None) -> list[str]:
    """The secret values the environment holds: tokens, keys and the passwords in service URLs."""
    env = os.environ if environ is None else environ
    found = [env[k] for k in SECRET_ENV if env.get(k)]
    found += [p for p in (url_password(env.get(k)) for k in URL_ENV) if p]
    return found


class Redactor(logging.Filter):
    """Rewrites each record so no known secret value or token-shaped string survives; never drops one."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()
        self.protect(*secrets)

    def protect(self, *secrets: str | None) -> None:
        """Redact these values from now on (longest first, so a secret containing another goes whole)."""
        fresh = {s for s in secrets if s and len(s) >= MIN_SECRET}
        with self._lock:
            self._values = tuple(sorted(set(self._values) | fresh, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, still redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters print exc_text when it is set; without exc_info none re-renders the original.
            record.exc_text, record.exc_info = self.redact(record.exc_text), None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


_installed: Redactor | None = None
_install_lock = threading.Lock()


def install(secrets: Iterable[str | None] = ()) -> Redactor:
    """Redact every log record from now on, whichever logger made it and whichever handler gets it.

    Idempotent: a second call adds its secrets to the one installed redactor.
    """
    global _installed
    with _install_lock:
        if _installed is None:
            redactor = Redactor()
            make: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = make(*args, **kwargs)
                redactor.filter(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = redactor
    _installed.protect(*secrets)
    return _installed


def protect(*secrets: str | None) -> None:
    """Add secrets learnt after start-up (a derived webhook secret) to the installed redactor."""
    install(secrets)
