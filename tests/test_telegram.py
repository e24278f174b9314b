"""python-telegram-bot against the fake Bot API on 127.0.0.1: commands, formatting, limits, failures."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from fake_telegram import FakeTelegram
from test_commands import FixedNews, message_recorded, story

from bot.adapters.base import deliver
from bot.adapters.telegram.adapter import TelegramAdapter, Webhook
from bot.adapters.telegram.ratelimit import FloodLimiter
from bot.commands.core import ChatRef
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.storage.db import open_store
from summarizer.types import Article, Quote, StoryDigest, SummarySentence

HOSTILE = '<b>Breaking</b> & <script>x</script> _*[]()~`>#+-=|{}.! <!channel> @everyone &amp; "q"'


@pytest.fixture
def fake() -> Any:
    with FakeTelegram() as server:
        yield server


def make_layer(url: str, digests: Sequence[StoryDigest]) -> CommandLayer:
    return CommandLayer(FixedNews(digests), ChatStore(open_store(url)), callback_key("tg-test"))


@contextlib.asynccontextmanager
async def running(
    fake: FakeTelegram,
    layer: CommandLayer,
    webhook: Webhook | None = None,
    limiter: FloodLimiter | None = None,
) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(
        layer,
        fake.token,
        fake.base_url,
        webhook=webhook,
        poll_timeout=1,
        limiter=limiter or FloodLimiter(per_chat_interval=0.0),
    )
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


async def sent_after(fake: FakeTelegram, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    return await asyncio.to_thread(fake.wait_for, lambda s: len(s) >= count, timeout)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def test_every_command_over_long_polling(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1, "Flood in the valley"), story(2, "Election results")])

    async def scenario() -> None:
        async with running(fake, layer):
            n = 0
            for line in (
                "/start",
                "/help",
                "/subscribe flood",
                "/settings",
                "/sources",
                "/schedule 07:15 Asia/Tokyo",
                "/set max_stories 3",
                "/pause",
                "/resume",
                "/admins list",
                "/unsubscribe",
                "/subscribe",
                "/ask",
                "/addsource https://93.184.215.14/rss",
                "/removesource 1",
            ):
                fake.push_message(42, 7, line)
                n += 1
                await sent_after(fake, n)
            texts = [m["plain"] for m in fake.sent]
            assert "send digests of the news" in texts[0]
            assert "/addsource URL [NAME]" in texts[1]
            assert texts[2] == "Subscribed to stories about: flood, whenever a digest goes out."
            assert "Keywords: flood" in texts[3]
            assert "seeds/" in texts[4]
            assert texts[5] == "Digests at 07:15 (Asia/Tokyo)."
            assert texts[6] == "max_stories is now 3."
            assert texts[7].startswith("Paused") and texts[8] == "Resumed."
            assert "refused" in texts[9] and "Unsubscribed" in texts[10]
            assert texts[12].startswith("Usage: /ask QUESTION")
            # /addsource is global: refused to a private user who is not a configured admin.
            assert "refused" in texts[13] and "refused" in texts[14]
            # /digest: one message per story, HTML, previews off, three buttons.
            fake.push_message(42, 7, "/set keywords none")
            n += 1
            await sent_after(fake, n)
            fake.push_message(42, 7, "/digest")
            sent = await sent_after(fake, n + 2)
            stories = sent[n:]
            assert [m["plain"].split("\n")[0] for m in stories] == ["Flood in the valley", "Election results"]
            for m in stories:
                assert m["parse_mode"] == "HTML" and m["link_preview_options"] == {"is_disabled": True}
                assert [b["text"] for b in buttons(m)] == ["Sources", "Ask", "Mute story"]
                assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(m))
            # A command addressed to another bot is not ours.
            fake.push_message(42, 7, "/digest@other_bot")
            fake.push_message(42, 7, "/help@news_bot")
            sent = await sent_after(fake, n + 3)
            assert sent[-1]["plain"].startswith("Commands:")
        assert fake.calls_of("setMyCommands")

    asyncio.run(scenario())


def test_group_admins_from_the_bot_api(fake: FakeTelegram, sqlite_url: str, caplog: Any) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.admins["-100"] = [5]

    async def scenario() -> None:
        async with running(fake, layer):
            fake.push_message(-100, 7, "/subscribe", chat_type="group")
            sent = await sent_after(fake, 1)
            assert "refused" in sent[0]["plain"] and "admins" in sent[0]["plain"]
            fake.push_message(-100, 5, "/subscribe", chat_type="group")
            sent = await sent_after(fake, 2)
            assert sent[1]["plain"].startswith("Subscribed")
        assert fake.calls_of("getChatAdministrators")

    asyncio.run(scenario())
    assert "refused /subscribe for user 7" in caplog.text
    assert [s.chat.chat_id for s in layer.store.active_subscriptions()] == ["-100"]


def test_hostile_article_text_arrives_verbatim(fake: FakeTelegram, sqlite_url: str) -> None:
    art = Article(id="h1", title="t", text="x", outlet="A&B <i>News</i>", url='https://x.example/?a=1&b="2"<')
    hostile = StoryDigest(
        story_id="h",
        headline=HOSTILE,
        summary=(SummarySentence("1", HOSTILE, ("h1",)),),
        quotes=(Quote("q", HOSTILE, "<u>Ann</u>", ("h1",)),),
        articles=(art,),
    )
    layer = make_layer(sqlite_url, [hostile])

    async def scenario() -> dict[str, Any]:
        async with running(fake, layer):
            fake.push_message(42, 7, "/digest")
            return (await sent_after(fake, 1))[0]

    message = asyncio.run(scenario())
    assert "<b>" in message["text"] and "&lt;b&gt;Breaking" in message["text"]  # our bold, their escaped tag
    plain = message["plain"]
    # Headline, summary and quote, character for character (a word joiner after @ stops mentions).
    assert plain.replace("\u2060", "").count(HOSTILE) == 3 and "@everyone" not in plain
    assert "<u>Ann</u>" in plain and "A&B <i>News</i>" in plain
    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;&lt;"' in message["text"]


def test_long_digest_is_split_on_sentences(fake: FakeTelegram, sqlite_url: str) -> None:
    sentences = [
        f"Sentence number {i} tells <i>part</i> of a very long & detailed story about the valley."
        for i in range(120)
    ]
    giant = "word " * 1500  # one 7,500-character sentence without any full stop
    long = StoryDigest(
        story_id="long",
        headline="Long story",
        summary=tuple(SummarySentence(str(i), s, ("s1a0",)) for i, s in enumerate(sentences)),
        quotes=(Quote("q", giant.strip(), "Bob", ("s1a0",)),),
        articles=story(1).articles,
    )
    layer = make_layer(sqlite_url, [long])

    async def scenario() -> list[dict[str, Any]]:
        async with running(fake, layer):
            fake.push_message(42, 7, "/digest")
            await asyncio.sleep(0.5)
            return await asyncio.to_thread(fake.wait_for, lambda s: any(buttons(m) for m in s))

    sent = asyncio.run(scenario())
    assert len(sent) >= 4
    assert all(len(m["plain"]) <= 4096 for m in sent)
    assert [bool(buttons(m)) for m in sent] == [False] * (len(sent) - 1) + [True]
    joined = " ".join(m["plain"] for m in sent)
    positions = [joined.index(s) for s in sentences]
    assert positions == sorted(positions)  # every sentence whole, in order
    assert joined.count("word") == 1500
    # A reply to any part of the story is about that story.
    assert all(layer.store.story_of_message(ChatRef("telegram", "42"), str(m["message_id"])) for m in sent)


def test_429_retry_after_is_honoured(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.failures["sendMessage"] = [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        )
    ]

    async def scenario() -> float:
        async with running(fake, layer):
            t0 = time.monotonic()
            fake.push_message(42, 7, "/start")
            sent = await sent_after(fake, 1)
            return sent[0]["time"] - t0

    elapsed = asyncio.run(scenario())
    assert elapsed >= 1.0
    assert len(fake.calls_of("sendMessage")) == 2


def test_403_deactivates_the_subscription(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1), story(2)])
    blocked, fine = ChatRef("telegram", "42"), ChatRef("telegram", "43")
    layer.store.subscribe(blocked, None)
    layer.store.subscribe(fine, None)
    fake.blocked.add("42")

    async def scenario() -> Any:
        async with running(fake, layer) as adapter:
            return await deliver(layer, {"telegram": adapter})

    report = asyncio.run(scenario())
    assert report.gone == [blocked] and report.sent == [fine]
    sub = layer.store.subscription(blocked)
    assert not sub.active and "blocked" in (sub.deactivated_reason or "")
    assert [s.chat.chat_id for s in layer.store.active_subscriptions()] == ["43"]
    assert {m["chat_id"] for m in fake.sent} == {43}


def test_forum_topic_subscription(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.admins["-1001"] = [5]

    async def scenario() -> None:
        async with running(fake, layer) as adapter:
            fake.push_message(-1001, 5, "/subscribe", chat_type="supergroup", thread_id=77)
            sent = await sent_after(fake, 1)
            assert sent[0]["message_thread_id"] == 77
            report = await deliver(layer, {"telegram": adapter})
            assert report.sent == [ChatRef("telegram", "-1001", "group", "77", "Group")]
            assert fake.sent[-1]["message_thread_id"] == 77

    asyncio.run(scenario())


def test_buttons_and_forged_callbacks(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])

    async def scenario() -> None:
        async with running(fake, layer):
            fake.push_message(42, 7, "/digest")
            message = (await sent_after(fake, 1))[0]
            data = {b["text"]: b["callback_data"] for b in buttons(message)}
            fake.push_callback(42, 7, data["Sources"], message["message_id"])
            sources = (await sent_after(fake, 2))[1]
            assert "Outlet 0" in sources["plain"] and 'href="https://outlet0.example/1"' in sources["text"]
            fake.push_callback(42, 7, data["Ask"], message["message_id"])
            prompt = (await sent_after(fake, 3))[2]
            assert prompt["reply_markup"]["force_reply"] is True
            await asyncio.sleep(0.2)  # the adapter records the prompt once Telegram has answered
            assert layer.store.story_of_message(ChatRef("telegram", "42"), str(prompt["message_id"]))
            fake.push_callback(42, 7, data["Mute story"], message["message_id"])
            for forged in ("b:m:1:forgedforged", data["Sources"][:-2] + "zz", "nonsense"):
                fake.push_callback(42, 7, forged, message["message_id"])
            await asyncio.to_thread(lambda: _wait_calls(fake, "answerCallbackQuery", 6))
            answers = {a["callback_query_id"]: a.get("text") for a in fake.calls_of("answerCallbackQuery")}
            assert (answers["cb4"] or "").startswith("Muted")
            assert [answers[f"cb{i}"] for i in (5, 6, 7)] == ["This button is no longer valid."] * 3
            assert len(fake.sent) == 3  # nothing posted for the mute toast or the forged presses

    asyncio.run(scenario())
    assert layer.store.muted(ChatRef("telegram", "42")) == {"story-1"}


def test_reply_to_a_story_is_a_follow_up(fake: FakeTelegram, sqlite_url: str) -> None:
    pytest.importorskip("bot.ask.service")
    layer = make_layer(sqlite_url, [story(1)])

    async def scenario() -> None:
        async with running(fake, layer):
            fake.push_message(42, 7, "/digest")
            message = (await sent_after(fake, 1))[0]
            await message_recorded(layer, str(message["message_id"]))
            fake.push_message(42, 7, "What happened next?", reply_to=message["message_id"])
            answer = (await sent_after(fake, 2, timeout=180))[1]
            # PTB 22 sends the reply target as `reply_parameters`
            params = answer.get("reply_parameters") or {}
            if isinstance(params, str):
                params = json.loads(params)
            assert answer.get("reply_to_message_id") or params.get("message_id")
            # a question about the story as a whole is answered from the story's lead
            assert "Story 1 happened." in answer["text"]

    asyncio.run(scenario())


def _wait_calls(fake: FakeTelegram, method: str, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.calls_of(method)) < count:
        assert time.monotonic() < deadline, fake.calls_of(method)
        time.sleep(0.02)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_webhook_checks_the_secret_token(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    port = _free_port()
    hook = Webhook(url="https://bot.example/telegram", secret="s3cret-Token", host="127.0.0.1", port=port)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "U"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }

    async def scenario() -> None:
        async with running(fake, layer, webhook=hook), httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/telegram"
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                r = await client.post(url, content=json.dumps(update), headers=headers)
                assert r.status_code == 403
            await asyncio.sleep(0.3)
            assert fake.sent == []
            r = await client.post(
                url, content=json.dumps(update), headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}
            )
            assert r.status_code == 200
            assert "send digests" in (await sent_after(fake, 1))[0]["plain"]

    asyncio.run(scenario())
    hook_call = fake.calls_of("setWebhook")[0]
    assert hook_call["url"] == "https://bot.example/telegram" and hook_call["secret_token"] == "s3cret-Token"
    assert not fake.calls_of("getUpdates")


def test_flood_limits_space_messages(fake: FakeTelegram, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(i) for i in range(4)])
    limiter = FloodLimiter(per_chat_interval=0.25, group_per_minute=2, group_window=1.0)

    async def scenario() -> None:
        async with running(fake, layer, limiter=limiter) as adapter:
            await adapter.send_digests(ChatRef("telegram", "42"), [story(i) for i in range(4)])
            await adapter.send_digests(ChatRef("telegram", "-5", "group"), [story(i) for i in range(3)])

    asyncio.run(scenario())
    private = [m["time"] for m in fake.sent if m["chat_id"] == 42]
    group = [m["time"] for m in fake.sent if m["chat_id"] == -5]
    assert all(b - a >= 0.24 for a, b in itertools.pairwise(private))
    assert group[2] - group[0] >= 0.99  # 2 per window in a group
