"""Telegram adapter (python-telegram-bot 22): HTML formatting, flood limits, polling and webhook."""

import os

# PTB 22 gives time periods (a 429's `retry_after`) as numbers and warns on every one, its own
# included; PTB_TIMEDELTA opts in to the timedeltas of its next major version, which the adapter
# reads either way (`ratelimit.retry_seconds`)
os.environ.setdefault("PTB_TIMEDELTA", "1")
