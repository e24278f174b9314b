"""`newsdigest worker`: one scale-out worker (arq on Redis + outbox delivery); run N of them.

Needs a PostgreSQL store (`--db` or NEWSDIGEST_DB_URL) and Redis (`workers.redis_url` or
NEWSDIGEST_REDIS_URL). See docs/scaling.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, open_config


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="run a scale-out worker (PostgreSQL store, arq jobs on Redis)")
    p.add_argument("--config", type=Path, help="configuration file (TOML); default config/default.toml")
    p.add_argument("--db", metavar="URL", help="store URL (overrides NEWSDIGEST_DB_URL and the config)")
    p.add_argument("--redis", metavar="URL", help="Redis URL (overrides NEWSDIGEST_REDIS_URL and the config)")
    p.add_argument("--burst", action="store_true", help="exit when the job queue is empty")
    p.add_argument("--ops-port", type=int, metavar="PORT",
                   help="port of /healthz and /metrics (default ops.worker_port; one per worker on a host)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config, engine = open_config(args)
    engine.dispose()
    if not config.store.url.startswith("postgresql"):
        raise CliError("workers share a PostgreSQL store: pass --db postgresql+psycopg://…")
    if args.redis:
        config.workers.redis_url = args.redis
    if args.ops_port is not None:
        config.ops.worker_port = args.ops_port
    from bot.workers.app import run_worker

    run_worker(config, burst=args.burst)
    return 0
