"""Prometheus metrics: what the bot did (counters), how long it took (histograms), what waits (gauges).

Counters and histograms live in the process-wide default registry, so the instrumented code paths
(ingestion, digests, delivery, /ask, polling) only import and increment them; each process serves its
own (`newsdigest run` and every `newsdigest worker`, see docs/operations.md). Queue depth is read from
the store and Redis when scraped (`QueueCollector`), by the `run` process only, so it is not counted
once per worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Engine

log = logging.getLogger(__name__)
disable_created_metrics()  # no `*_created` series: scrapers use the process start time instead

# Latency buckets in seconds: interactive commands (ask, digest) and a single platform API call.
_SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_FAST = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

ARTICLES_INGESTED = Counter(
    "newsdigest_articles_ingested", "Ingested items by outcome (new, duplicate, failed)", ["status"]
)
SOURCE_POLLS = Counter(
    "newsdigest_source_polls",
    "Scheduled source polls by outcome (ok, not_modified, error, deactivated)",
    ["status"],
)
SOURCE_FETCH_ERRORS = Counter("newsdigest_source_fetch_errors", "Scheduled source polls that failed")
DIGESTS_BUILT = Counter(
    "newsdigest_digests_built",
    "Subscription digests per slot by outcome (built, empty, existing)",
    ["result"],
)
DIGEST_MESSAGES_QUEUED = Counter("newsdigest_digest_messages_queued", "Messages written to the outbox")
DIGEST_SECONDS = Histogram(
    "newsdigest_digest_build_seconds",
    "Time to build digests: a /digest command, or one batch of scheduled slots",
    ["path"],
    buckets=_SLOW,
)
MESSAGES_SENT = Counter("newsdigest_messages_sent", "Outbox messages posted", ["platform"])
DELIVERY_FAILURES = Counter(
    "newsdigest_delivery_failures", "Outbox messages given up (failed, gone)", ["platform", "reason"]
)
DELIVERY_RETRIES = Counter(
    "newsdigest_delivery_retries", "Outbox sends to try again (error, throttled)", ["platform", "reason"]
)
SEND_SECONDS = Histogram(
    "newsdigest_send_seconds", "Time of one successful platform send", ["platform"], buckets=_FAST
)
ASK_SECONDS = Histogram("newsdigest_ask_seconds", "Time to answer one /ask question", buckets=_SLOW)

# Children looked up once: ingestion increments one per item.
INGESTED_NEW = ARTICLES_INGESTED.labels("new")
INGESTED_DUPLICATE = ARTICLES_INGESTED.labels("duplicate")
INGESTED_FAILED = ARTICLES_INGESTED.labels("failed")


class QueueCollector:
    """Queue depth when scraped: outbox messages not final, by state, and the arq queue in scale-out."""

    def __init__(self, engine: Engine, redis_url: str | None = None, queue_name: str = "") -> None:
        self.engine = engine
        self.redis_url = redis_url
        self.queue_name = queue_name

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from bot.delivery.records import delivery_counts
        from bot.storage.delivery_models import FINAL_STATES

        outbox = GaugeMetricFamily(
            "newsdigest_outbox_messages", "Outbox messages not yet final, by state", labels=["status"]
        )
        try:
            counts = delivery_counts(self.engine)
        except Exception as exc:  # the store is down: /healthz says so, the scrape still answers
            log.warning("outbox depth unavailable: %s", type(exc).__name__)
        else:
            open_states = {"pending": 0, "waiting": 0, "sending": 0}
            open_states.update((s, n) for s, n in counts.items() if s not in FINAL_STATES)
            for status, n in sorted(open_states.items()):
                outbox.add_metric([status], n)
            yield outbox
        if self.redis_url:
            depth = self._queue_length()
            if depth is not None:
                yield GaugeMetricFamily(
                    "newsdigest_queue_jobs", "Jobs waiting in the arq queue (scale-out)", value=depth
                )

    def _queue_length(self) -> int | None:
        from redis import Redis

        assert self.redis_url is not None
        try:
            with Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2) as client:
                return int(client.zcard(self.queue_name))  # arq keeps queued jobs in one sorted set
        except Exception as exc:
            log.warning("queue depth unavailable: %s", type(exc).__name__)
            return None
