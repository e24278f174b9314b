"""`newsdigest run`: the main job, one asyncio process running every configured chat adapter.

Telegram runs when `TELEGRAM_BOT_TOKEN` is set, Slack when `SLACK_BOT_TOKEN` and a signing secret
(HTTP mode) or an app token (Socket Mode) are; listing platforms in `output.adapters` restricts it
to those. With no chat platform the console adapter runs, so the job works on a fresh machine.
`--once` ingests the configured sources, posts one digest to every subscription and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.adapters.base import Adapter
from bot.adapters.console import ConsoleAdapter
from bot.adapters.runner import chat_adapters, make_layer, run_forever, run_once
from bot.cli.common import CliError, open_config
from bot.commands.state import ChatStore


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the bot (Telegram, Slack, or the console when no token is set)")
    p.add_argument("--once", action="store_true",
                   help="ingest the configured sources, post one digest to every subscription, exit")
    p.add_argument("--console", action="store_true", help="also run the console adapter")
    p.add_argument("--no-schedule", action="store_true",
                   help="do not run the scheduler (timed digests, source polling) in this process")
    p.add_argument("--telegram-webhook", metavar="URL",
                   help="Telegram webhook mode at this public URL (default: long polling)")
    p.add_argument("--config", type=Path, help="configuration file (TOML); default config/default.toml")
    p.add_argument("--db", metavar="URL", help="store URL (overrides NEWSDIGEST_DB_URL and the config)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config, engine = open_config(args)
    try:
        from bot.service import Newsroom
    except ImportError as exc:
        raise CliError(f"the digest engine is not available: {exc}") from None
    news = Newsroom(config, engine)
    layer = make_layer(news, ChatStore(engine))
    adapters = chat_adapters(layer, config, args.telegram_webhook)
    if args.once:
        return asyncio.run(run_once(layer, adapters, ingest=news.ingest))
    # Start from the configured sources, so a fresh store answers /digest and /ask at once.
    report = news.ingest(progress=not args.no_progress)
    for err in report.skipped:
        print(f"skipped {err.item}: {err.reason}", file=sys.stderr)
    running: list[Adapter] = list(adapters.values())
    senders: dict[str, Adapter] = dict(adapters)
    if not running or args.console:
        console = ConsoleAdapter(layer)
        running.append(console)
        senders[console.platform or "console"] = console
    services = []
    scheduling = config.schedule.enabled and not args.no_schedule
    if scheduling:
        from bot.scheduling.app import run_scheduled

        async def scheduled(stop: asyncio.Event) -> None:
            for adapter in adapters.values():
                await adapter.connect()
            await run_scheduled(news, senders, stop)

        services.append(scheduled)
    if config.ops.enabled:
        from bot.ops.server import run_server

        services.append(run_server(engine, config, scheduling).serve)
    return asyncio.run(run_forever(running, services))
