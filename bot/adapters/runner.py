"""Running the adapters: which platforms have credentials, one digest round (`--once`), run forever.

Kept out of `bot.cli` so the scheduler and tests can drive the same code without the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TextIO

from bot import redact
from bot.adapters.base import Adapter
from bot.adapters.console import CONSOLE, ConsoleAdapter
from bot.commands.core import NewsService, Reply
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.selection import digests_for
from bot.commands.state import ChatStore
from bot.config import Config

log = logging.getLogger(__name__)
Service = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def chat_adapters(layer: CommandLayer, config: Config, webhook_url: str | None = None) -> dict[str, Adapter]:
    """The chat platforms that have credentials (and are allowed by `output.adapters`, if it names any)."""
    wanted = set(config.output.adapters) & {"telegram", "slack"}
    secrets = config.secrets
    adapters: dict[str, Adapter] = {}
    if secrets.telegram_bot_token and (not wanted or "telegram" in wanted):
        from bot.adapters.telegram.adapter import TelegramAdapter, Webhook, webhook_secret

        token = secrets.telegram_bot_token
        url = webhook_url or config.telegram.webhook_url
        hook = None
        if url:
            secret = secrets.telegram_webhook_secret or webhook_secret(token)
            redact.protect(secret)
            hook = Webhook(url=url, secret=secret, host=config.telegram.webhook_listen,
                           port=config.telegram.webhook_port)
        from bot.adapters.telegram.ratelimit import FloodLimiter

        # Telegram allows ~30 messages/s overall; a self-hosted Bot API server may allow what
        # `delivery.rate_per_second` says (the outbox paces itself; this is only the safety net).
        overall = max(30, math.ceil(config.delivery.rate_per_second * 1.2))
        adapters["telegram"] = TelegramAdapter(layer, token, config.telegram.base_url, webhook=hook,
                                               limiter=FloodLimiter(overall_per_second=overall))
    slack_ok = secrets.slack_bot_token and (secrets.slack_signing_secret or secrets.slack_app_token)
    if slack_ok and (not wanted or "slack" in wanted):
        from bot.adapters.slack.adapter import SlackAdapter

        assert secrets.slack_bot_token is not None
        adapters["slack"] = SlackAdapter(
            layer, secrets.slack_bot_token, secrets.slack_signing_secret, secrets.slack_app_token,
            api_url=config.slack.api_url, host=config.slack.listen,
            port=config.slack.port)
    return adapters


def make_layer(news: NewsService, store: ChatStore) -> CommandLayer:
    s = news.config.secrets
    return CommandLayer(news, store, callback_key(s.telegram_bot_token, s.slack_signing_secret,
                                                  s.slack_bot_token))


async def run_once(layer: CommandLayer, adapters: dict[str, Adapter], ingest: Any = None,
                   out: TextIO | None = None) -> int:
    """Ingest, then one digest to every subscription through the outbox (`bot.delivery.once`), or with no
    chat platform, to the console."""
    if ingest is not None:
        report = await asyncio.to_thread(ingest)
        log.info("ingested: %s", report)
    if not adapters:
        console = ConsoleAdapter(layer, stdout=out or sys.stdout, prompt=False)
        sub = await asyncio.to_thread(layer.store.subscription, CONSOLE)
        digests = await asyncio.to_thread(digests_for, layer.news, layer.store, sub)
        await console.send_reply(CONSOLE, Reply(kind="digest", digests=tuple(digests)) if digests
                                 else Reply(text="Nothing new."))
        return 0
    from bot.delivery.once import deliver_once
    from bot.delivery.stories import make_planner

    news: Any = layer.news  # the Newsroom: its store and embedder plan the digests
    planner = await asyncio.to_thread(make_planner, news.engine, news.embedder, news.config)
    for adapter in adapters.values():
        await adapter.connect()
    try:
        built, stats = await deliver_once(news.engine, news.config, planner, adapters)
    finally:
        for adapter in adapters.values():
            await adapter.stop()
    log.warning("built %d digests (%d empty, %d already built); sent %d messages (%d gone, %d failed)",
                len(built.built), len(built.empty), len(built.existing), stats.sent, stats.gone, stats.failed)
    return 1 if stats.failed else 0


async def run_forever(adapters: list[Adapter], services: Sequence[Service] = ()) -> int:
    """Start every adapter and run until a signal, or until the console reaches end of input.

    `services` (the scheduler and the outbox) run alongside and are told to stop with the adapters.
    """
    stop = asyncio.Event()
    background: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started: list[Adapter] = []
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
        background = [asyncio.create_task(service(stop)) for service in services]
        waits = [asyncio.create_task(a.wait()) for a in adapters]
        stopper = asyncio.create_task(stop.wait())
        done, pending = await asyncio.wait([*waits, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            if task is not stopper and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        stop.set()
        if background:
            await asyncio.gather(*background, return_exceptions=True)
        for adapter in reversed(started):
            with contextlib.suppress(Exception):
                await adapter.stop()
    return 0
