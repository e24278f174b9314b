"""Operations: `/healthz` and `/metrics` of running processes, and the log format (docs/operations.md).

Kept import-light: instrumented code imports `bot.ops.metrics` only; the HTTP server (aiohttp) loads
in `bot.ops.server` when a long-running process starts it.
"""
