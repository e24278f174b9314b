"""The outbox on a real store: idempotent slots, only what is new, filters, delivery via the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fake_telegram import FakeTelegram
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.ratelimit import FloodLimiter
from bot.commands.core import ChatRef
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.config import Config, DeliveryConfig
from bot.delivery.codec import digest_from_json
from bot.delivery.dispatch import Dispatcher, delivery_counts
from bot.delivery.once import deliver_once
from bot.delivery.outbox import SlotRequest, build_slots, slot_key
from bot.delivery.ratelimit import LocalRateLimiter
from bot.delivery.records import Outcome
from bot.delivery.selection import Planner, keyword_pattern
from bot.delivery.senders import TelegramSender
from bot.storage.chat_models import SentMessageRow, SubscriptionRow
from bot.storage.db import open_store
from bot.storage.delivery_models import OutboxDigestRow, OutboxMessageRow
from summarizer.types import Article, Story

SLOT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
FAST = DeliveryConfig(
    rate_per_second=500,
    concurrency=4,
    chat_interval_seconds=0.0,
    group_interval_seconds=0.0,
    backoff_seconds=0.05,
    max_backoff_seconds=0.2,
    lease_seconds=2.0,
)


def article(aid: str, title: str, text: str, outlet: str, hours: int = 0) -> Article:
    return Article(
        id=aid,
        title=title,
        text=text,
        outlet=outlet,
        url=f"https://{outlet}.example/{aid}",
        published=datetime(2026, 3, 1, 6, tzinfo=UTC) + timedelta(hours=hours),
    )


FLOOD = [
    article(
        "f1",
        "River floods the valley town",
        "The river burst its banks on Sunday and flooded the valley "
        "town. Hundreds of residents were moved to the school gym. The mayor said the water rose "
        "faster than in any year she remembers.",
        "daily",
    ),
    article(
        "f2",
        "Valley town under water after river bursts banks",
        "Floodwater covered the valley town after "
        "the river burst its banks on Sunday. Emergency crews moved hundreds of residents to shelters. "
        "Forecasters expect more rain on Tuesday.",
        "herald",
    ),
]
FLOOD_LATER = article(
    "f3",
    "Flood waters recede in valley town",
    "The water began to recede on Monday "
    "evening, officials said. Engineers will inspect the damaged bridge on Wednesday. "
    "Schools stay closed until the end of the week.",
    "post",
    hours=30,
)
PARTY = [
    article(
        "p1",
        "Party congress picks new leader",
        "Delegates at the party congress elected a new "
        "leader on Saturday. The vote followed two days of debate. She promised to cut taxes.",
        "daily",
    )
]
ART = [
    article(
        "a1",
        "Museum opens modern art wing",
        "The city museum opened a modern art wing on Friday. "
        "The wing shows works by local painters. Entry is free for the first month.",
        "herald",
    )
]


def stories(*groups: Sequence[Article]) -> list[Story]:
    return [Story(id=f"story-{g[0].id}", articles=tuple(g)) for g in groups]


def subscribe(store: ChatStore, n: int, **settings: Any) -> list[int]:
    with Session(store.engine) as s:
        start = 1000 + (s.scalar(select(func.count()).select_from(SubscriptionRow)) or 0)
    ids = []
    for i in range(n):
        ref = ChatRef("telegram", str(start + i), "private")
        store.subscribe(ref, None)
        if settings:
            store.update(ref, **settings)
        with Session(store.engine) as s:
            ids.append(
                s.scalars(select(SubscriptionRow.id).order_by(SubscriptionRow.id.desc()).limit(1)).one()
            )
    return ids


def payloads(engine: Engine, sub_id: int) -> list[dict[str, Any]]:
    with Session(engine) as s:
        q = (
            select(OutboxMessageRow.payload)
            .join(OutboxDigestRow)
            .where(OutboxDigestRow.subscription_id == sub_id)
            .order_by(OutboxMessageRow.id)
        )
        return [dict(p) for p in s.scalars(q)]


@pytest.fixture
def engine(pg_url: str) -> Engine:
    return open_store(pg_url)


def test_slot_is_built_once_and_only_new_content_follows(engine: Engine, embedder: Any) -> None:
    store = ChatStore(engine)
    [sub] = subscribe(store, 1)
    first = build_slots(engine, Planner(stories(FLOOD, PARTY), embedder), [SlotRequest(sub, SLOT)])
    assert len(first.built) == 1 and first.messages == 2
    again = build_slots(engine, Planner(stories(FLOOD, PARTY), embedder), [SlotRequest(sub, SLOT)])
    assert again.built == [] and again.existing == [sub] and again.messages == 0
    sent_first = payloads(engine, sub)
    assert {p["story_id"] for p in sent_first} == {"story-f1", "story-p1"}
    assert not any(p["is_update"] for p in sent_first)

    # A later slot: the flood story has a new article, the museum story is new, the party story is unchanged.
    later = SLOT + timedelta(days=1)
    build_slots(
        engine, Planner(stories([*FLOOD, FLOOD_LATER], PARTY, ART), embedder), [SlotRequest(sub, later)]
    )
    all_payloads = payloads(engine, sub)
    second = all_payloads[len(sent_first) :]
    by_story = {p["story_id"]: p for p in second}
    assert set(by_story) == {"story-f1", "story-a1"}  # the unchanged party story is not repeated
    update = by_story["story-f1"]
    assert update["is_update"] is True
    old_ids = {s["id"] for p in sent_first for s in p["summary"]}
    assert update["summary"] and not ({s["id"] for s in update["summary"]} & old_ids)
    assert any(
        "recede" in s["text"] or "bridge" in s["text"] or "Schools" in s["text"] for s in update["summary"]
    )

    # Nothing new at all: nothing stored to send.
    quiet = build_slots(
        engine,
        Planner(stories([*FLOOD, FLOOD_LATER], PARTY, ART), embedder),
        [SlotRequest(sub, later + timedelta(days=1))],
    )
    assert quiet.empty == [sub] and quiet.messages == 0
    with Session(engine) as s:
        assert (
            s.scalar(select(func.count()).select_from(OutboxDigestRow)) == 3
        )  # the empty slot is recorded too


def test_nothing_new_message_by_setting(engine: Engine, embedder: Any) -> None:
    store = ChatStore(engine)
    [sub] = subscribe(store, 1, keywords=["volcano"])
    report = build_slots(
        engine, Planner(stories(FLOOD, PARTY), embedder), [SlotRequest(sub, SLOT)], nothing_new_message=True
    )
    assert report.messages == 1
    assert payloads(engine, sub) == [{"text": "Nothing new since the last digest."}]


def test_keywords_match_whole_words_and_max_stories(engine: Engine, embedder: Any) -> None:
    store = ChatStore(engine)
    art_sub, flood_sub, capped = (
        subscribe(store, 1, keywords=["art"])[0],
        subscribe(store, 1, keywords=["RIVER", "burst its banks"])[0],
        subscribe(store, 1, max_stories=1)[0],
    )
    planner = Planner(stories(FLOOD, PARTY, ART), embedder)
    build_slots(
        engine, planner, [SlotRequest(art_sub, SLOT), SlotRequest(flood_sub, SLOT), SlotRequest(capped, SLOT)]
    )
    # "art" is in "party" and "started" as letters, but only the museum story has the word.
    assert [p["story_id"] for p in payloads(engine, art_sub)] == ["story-a1"]
    assert [p["story_id"] for p in payloads(engine, flood_sub)] == ["story-f1"]
    assert len(payloads(engine, capped)) == 1
    pattern = keyword_pattern(["a.b", "(x"])  # user text is never a regular expression
    assert pattern is not None and pattern.search("a.b") and not pattern.search("axb")


@contextlib.asynccontextmanager
async def telegram(fake: FakeTelegram, engine: Engine) -> AsyncIterator[TelegramAdapter]:
    layer = CommandLayer(None, ChatStore(engine), callback_key("tg-test"))  # type: ignore[arg-type]
    adapter = TelegramAdapter(
        layer,
        fake.token,
        fake.base_url,
        limiter=FloodLimiter(per_chat_interval=0.0, overall_per_second=10_000),
    )
    await adapter.connect()
    try:
        yield adapter
    finally:
        await adapter.stop()


def test_fan_out_delivers_every_message_once_in_order(engine: Engine, embedder: Any) -> None:
    store = ChatStore(engine)
    subs = subscribe(store, 12)
    build_slots(engine, Planner(stories(FLOOD, PARTY, ART), embedder), [SlotRequest(s, SLOT) for s in subs])

    async def scenario() -> None:
        with FakeTelegram() as fake:
            async with telegram(fake, engine) as adapter:
                limiter = LocalRateLimiter(FAST.rate_per_second)
                dispatcher = Dispatcher(
                    engine, {"telegram": TelegramSender(adapter, limiter)}, limiter, FAST, idle=0.05
                )
                stats = await dispatcher.drain(timeout=30)
                assert stats.sent == 36 and stats.failed == 0
            per_chat: dict[str, list[str]] = {}
            for m in fake.sent:
                per_chat.setdefault(str(m["chat_id"]), []).append(m["plain"].split("\n")[0])
            assert len(per_chat) == 12
            assert Counter(len(v) for v in per_chat.values()) == {3: 12}
            first_chat = per_chat["1000"]
            assert all(v == first_chat for v in per_chat.values())  # same stories, same order everywhere
            assert all(m.get("reply_markup") for m in fake.sent)  # buttons on every story

    asyncio.run(scenario())
    assert delivery_counts(engine) == {"sent": 36}
    with Session(engine) as s:
        assert (
            s.scalar(select(func.count()).select_from(SentMessageRow).where(SentMessageRow.message_id == ""))
            == 0
        )
        assert set(s.scalars(select(OutboxDigestRow.status))) == {"done"}
        assert all(r is not None for r in s.scalars(select(SubscriptionRow.last_sent)))
    assert slot_key(1, SLOT) == "digest:1:20260301T080000Z"
    assert digest_from_json(payloads(engine, subs[0])[0]).headline


def test_outcomes_of_many_messages_are_recorded_in_one_transaction(engine: Engine, embedder: Any) -> None:
    """One commit records sends, a gone chat and a retry, releases each digest's next message and closes
    the digests that are complete."""
    subs = subscribe(ChatStore(engine), 6)
    build_slots(engine, Planner(stories(FLOOD, PARTY), embedder), [SlotRequest(s, SLOT) for s in subs])
    limiter = LocalRateLimiter(FAST.rate_per_second)
    dispatcher = Dispatcher(engine, {"telegram": TelegramSender(None, limiter)}, limiter, FAST)
    commits: list[int] = []

    def count(_conn: Any) -> None:
        commits.append(1)

    first = dispatcher.claim(20)
    assert sorted(c.seq for c in first) == [0] * 6  # the second story of each digest waits its turn
    event.listen(Engine, "commit", count)
    try:
        dispatcher.record(
            [Outcome(c, "sent", ids=[f"m{c.id}"]) for c in first[:4]]
            + [Outcome(first[4], "gone", "bot was blocked"), Outcome(first[5], "pending", "502", delay=0.0)]
        )
    finally:
        event.remove(Engine, "commit", count)
    assert len(commits) == 1
    assert delivery_counts(engine) == {"sent": 4, "gone": 2, "pending": 5, "waiting": 1}
    second = dispatcher.claim(20)
    assert sorted(c.seq for c in second) == [0, 1, 1, 1, 1]  # the retry, and the released second stories
    dispatcher.record([Outcome(c, "sent", ids=[f"m{c.id}"]) for c in second])
    with Session(engine) as s:
        done = s.scalars(select(OutboxDigestRow.subscription_id).where(OutboxDigestRow.status == "done"))
        # closed: the four sent and the one whose chat is gone; the retried one has a story to send
        assert set(done) == set(subs[:5])
        assert not s.get_one(SubscriptionRow, subs[4]).active
        ids = set(s.scalars(select(SentMessageRow.message_id)))
    assert {f"m{c.id}" for c in first[:4] + second} <= ids


def test_run_once_goes_through_the_outbox(engine: Engine, embedder: Any) -> None:
    """`run --once`: a stored digest per subscription, sent once; run again, nothing is sent twice."""
    subs = subscribe(ChatStore(engine), 4)
    config = Config.model_validate({"delivery": FAST.model_dump()})
    now = datetime(2026, 3, 1, 9, 30, 17, tzinfo=UTC)

    async def scenario() -> list[Any]:
        with FakeTelegram() as fake:
            async with telegram(fake, engine) as adapter:
                planner = Planner(stories(FLOOD, PARTY), embedder)
                first = await deliver_once(engine, config, planner, {"telegram": adapter}, now)
                again = await deliver_once(engine, config, planner, {"telegram": adapter}, now)
                later = await deliver_once(
                    engine, config, planner, {"telegram": adapter}, now + timedelta(hours=1)
                )
            return [first, again, later, Counter(str(m["chat_id"]) for m in fake.sent)]

    (built, sent), (built_again, sent_again), (built_later, _), per_chat = asyncio.run(scenario())
    assert len(built.built) == 4 and built.messages == 8 and sent.sent == 8
    assert built_again.existing == subs and sent_again.sent == 0  # same minute: the same key
    assert built_later.empty == subs  # an hour later: nothing new for any chat
    assert per_chat == {str(1000 + i): 2 for i in range(4)}
    with Session(engine) as s:
        keys = set(s.scalars(select(OutboxDigestRow.key).where(OutboxDigestRow.status == "done")))
    assert keys == {f"digest:{sub}:20260301T093000Z" for sub in subs}


def test_a_late_sender_takes_a_new_slot_instead_of_bunching() -> None:
    """After the process stalls, senders whose slot passed do not all send at once."""

    async def scenario() -> tuple[float, list[float]]:
        limiter = LocalRateLimiter(100)  # a slot every 10 ms
        times: list[float] = []

        async def one() -> None:
            await limiter.acquire()
            times.append(time.monotonic())

        tasks = [asyncio.create_task(one()) for _ in range(20)]
        await asyncio.sleep(0)  # every task has reserved its slot (the first one has sent)
        time.sleep(0.1)  # the event loop stalls for ten slots
        resumed = time.monotonic()
        await asyncio.gather(*tasks)
        return resumed, sorted(times)

    resumed, times = asyncio.run(scenario())
    after = [t for t in times if t >= resumed]
    assert len(times) == 20 and len(after) == 19
    # each send within 15 ms of its own slot, slots 10 ms apart: never more than 3 in 10 ms (without
    # the rule, the nine slots missed during the stall would all be used at once)
    assert max(sum(1 for u in after if t <= u < t + 0.01) for t in after) <= 3
