"""slack-bolt (HTTP mode) and slack_sdk against the fake Web API, with signed requests from the test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fake_slack import FakeSlack, sign
from test_commands import FixedNews, message_recorded, story
from test_telegram import HOSTILE

from bot.adapters.base import deliver
from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.format import SECTION_LIMIT
from bot.commands.core import ChatRef
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.storage.db import open_store
from summarizer.types import Article, Quote, StoryDigest, SummarySentence

SECRET = "signing-secret"


@pytest.fixture
def fake() -> Any:
    with FakeSlack() as server:
        yield server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Bolt:
    """The running adapter plus a client that posts (signed) requests to it like Slack does."""

    def __init__(self, adapter: SlackAdapter, client: httpx.AsyncClient) -> None:
        self.adapter, self.client = adapter, client
        self.url = f"http://127.0.0.1:{adapter.port}/slack/events"

    async def post(
        self,
        body: str,
        content_type: str,
        secret: str | None = SECRET,
        timestamp: int | None = None,
        extra: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Content-Type": content_type, **(extra or {})}
        if secret is not None:
            headers.update(sign(secret, body, timestamp))
        return await self.client.post(self.url, content=body, headers=headers)

    async def slash(
        self, text: str, command: str = "/newsdigest", channel: str = "C1", user: str = "U7", **kw: Any
    ) -> httpx.Response:
        body = urlencode(
            {
                "command": command,
                "text": text,
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": "u",
                "team_id": "T1",
                "response_url": "",
                "trigger_id": "t",
            }
        )
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], event_id: str, **kw: Any) -> httpx.Response:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", **kw)

    async def press(
        self, value: str, action: str, channel: str = "C1", message_ts: str = "1.0", user: str = "U7"
    ) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "message": {"ts": message_ts, "text": "story"},
            "container": {"type": "message", "message_ts": message_ts},
            "trigger_id": "t",
            "response_url": "",
            "actions": [
                {"action_id": action, "block_id": "b", "value": value, "type": "button", "action_ts": "1"}
            ],
        }
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )


def make_layer(url: str, digests: Sequence[StoryDigest]) -> CommandLayer:
    return CommandLayer(FixedNews(digests), ChatStore(open_store(url)), callback_key("slack-test"))


@contextlib.asynccontextmanager
async def running(fake: FakeSlack, layer: CommandLayer) -> AsyncIterator[Bolt]:
    adapter = SlackAdapter(
        layer, "xoxb-test", SECRET, api_url=fake.base_url, host="127.0.0.1", port=_free_port()
    )
    await adapter.start()
    try:
        async with httpx.AsyncClient() as client:
            yield Bolt(adapter, client)
    finally:
        await adapter.stop()


async def wait(fake: FakeSlack, count: int, method: str = "chat.postMessage",
               timeout: float = 10.0) -> list[dict[str, Any]]:
    return await asyncio.to_thread(fake.wait_for, method, count, timeout)


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", []) if isinstance(e.get("text"), str)]
    return out


def test_slash_commands_ack_fast_and_answer_later(fake: FakeSlack, sqlite_url: str) -> None:
    gate = threading.Event()

    class Slow(FixedNews):
        def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]:
            assert gate.wait(10)
            return super().latest_digests(limit, keywords)

    layer = CommandLayer(Slow([story(1, "Flood"), story(2, "Vote")]), ChatStore(open_store(sqlite_url)), b"k")
    fake.admins.add("U7")  # a workspace admin: /subscribe in a channel is theirs to do

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            t0 = time.monotonic()
            r = await bolt.slash("", command="/digest")
            assert r.status_code == 200 and time.monotonic() - t0 < 3
            await asyncio.sleep(0.2)
            assert fake.posts() == []  # acknowledged before the (slow) digest exists
            gate.set()
            posts = await wait(fake, 2)
            for post, headline in zip(posts, ("Flood", "Vote"), strict=True):
                types = [b["type"] for b in post["blocks"]]
                assert types[0] == "header" and post["blocks"][0]["text"]["text"] == headline
                assert "section" in types and "context" in types and types[-1] == "actions"
                assert [e["action_id"] for e in post["blocks"][-1]["elements"]] == [
                    "nd_sources",
                    "nd_ask",
                    "nd_mute",
                ]
                assert post["unfurl_links"] is False and post["channel"] == "C1"
            # The umbrella command reaches every command; each answers.
            for n, (line, expect) in enumerate(
                [
                    ("help", "Commands:"),
                    ("subscribe flood", "Subscribed to stories"),
                    ("settings", "Keywords: flood"),
                    ("sources", "Sources:"),
                    ("ask", "Usage: /ask"),
                ],
                start=3,
            ):
                await bolt.slash(line)
                method = "chat.postEphemeral" if expect.startswith("Usage") else "chat.postMessage"
                got = await wait(fake, 1 if method == "chat.postEphemeral" else n, method)
                shown = got[-1].get("text", "") + " ".join(texts(got[-1].get("blocks") or []))
                assert expect in shown, (line, shown)

    asyncio.run(scenario())


def test_channel_admins_from_users_info(fake: FakeSlack, sqlite_url: str, caplog: Any) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.admins.add("UADMIN")

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            for line in (
                "pause",
                "set quotes off",
                "schedule 08:00",
                "addsource https://93.184.215.14/x",
                "admins add U99",
                "subscribe",
            ):
                await bolt.slash(line, user="U7")
            refusals = await wait(fake, 6, "chat.postEphemeral")
            assert all("refused" in r["text"] for r in refusals)
            assert fake.posts() == []
            await bolt.slash("pause", user="UADMIN")
            assert (await wait(fake, 1))[0]["text"].startswith("Paused")
            await bolt.slash("admins add <@U99|nine>", user="UADMIN")
            await wait(fake, 2)
            await bolt.slash("resume", user="U99")  # added in this channel: now an admin here
            assert (await wait(fake, 3))[-1]["text"].startswith("Resumed")

    asyncio.run(scenario())
    assert "refused /pause for user U7 in slack:C1" in caplog.text


def test_bad_signatures_get_401_and_nothing_posted(fake: FakeSlack, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            for kw in (
                {"secret": "wrong-secret"},
                {"timestamp": int(time.time()) - 6 * 60},
                {"secret": None},
            ):
                assert (await bolt.slash("digest", **kw)).status_code == 401
                mention = {
                    "type": "app_mention",
                    "user": "U7",
                    "text": "<@UBOT> digest",
                    "ts": "5.1",
                    "channel": "C1",
                }
                assert (await bolt.event(mention, f"Ev{time.monotonic()}", **kw)).status_code == 401
            assert (await bolt.slash("help", timestamp=int(time.time()) - 4 * 60)).status_code == 200
            await wait(fake, 1)
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    assert len(fake.posts()) == 1 and fake.posts("chat.postEphemeral") == []


def test_mentions_in_threads_and_retried_events(fake: FakeSlack, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    mention = {
        "type": "app_mention",
        "user": "U7",
        "text": "<@UBOT> settings",
        "ts": "100.5",
        "channel": "C1",
    }

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            assert (await bolt.event(mention, "EvA")).status_code == 200
            retry = await bolt.event(
                mention, "EvA", extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            )
            assert retry.status_code == 200
            await wait(fake, 1)
            await asyncio.sleep(0.5)

    asyncio.run(scenario())
    posts = fake.posts()
    assert len(posts) == 1 and posts[0]["thread_ts"] == "100.5" and "Subscription:" in posts[0]["text"]


def test_buttons_and_forged_values(fake: FakeSlack, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.admins.add("U7")  # muting changes the channel's configuration

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            await bolt.slash("digest")
            post = (await wait(fake, 1))[0]
            ts = f"{fake.ts}.000100"
            values = {e["action_id"]: e["value"] for e in post["blocks"][-1]["elements"]}
            assert (await bolt.press(values["nd_sources"], "nd_sources", message_ts=ts)).status_code == 200
            links = (await wait(fake, 2))[1]
            assert links["thread_ts"] == ts and "<https://outlet0.example/1|Outlet 0>" in " ".join(
                texts(links["blocks"])
            )
            await bolt.press(values["nd_ask"], "nd_ask", message_ts=ts)
            assert "Reply in this thread" in (await wait(fake, 3))[2]["text"]
            await bolt.press(values["nd_mute"], "nd_mute", message_ts=ts)
            assert (await wait(fake, 1, "chat.postEphemeral"))[0]["text"].startswith("Muted")
            await bolt.press("b:s:1:forgedforged", "nd_sources", message_ts=ts)
            await bolt.press(values["nd_sources"], "nd_sources", channel="C2", message_ts=ts)
            errors = await wait(fake, 3, "chat.postEphemeral")
            assert [e["text"] for e in errors[1:]] == ["This button is no longer valid."] * 2
            assert len(fake.posts()) == 3

    asyncio.run(scenario())


def test_thread_reply_is_a_follow_up(fake: FakeSlack, sqlite_url: str) -> None:
    pytest.importorskip("bot.ask.service")
    layer = make_layer(sqlite_url, [story(1)])

    async def scenario() -> None:
        async with running(fake, layer) as bolt:
            await bolt.slash("digest")
            await wait(fake, 1)
            ts = f"{fake.ts}.000100"
            await message_recorded(layer, ts)
            reply = {
                "type": "message",
                "user": "U7",
                "text": "What happened next?",
                "ts": "200.1",
                "thread_ts": ts,
                "channel": "C1",
                "channel_type": "channel",
            }
            await bolt.event(reply, "EvB")
            # an answer may first load the embedding model: allow for a slow, shared CI machine
            assert (await wait(fake, 2, timeout=180))[1]["thread_ts"] == ts

    asyncio.run(scenario())


def test_rate_limit_retry_after_is_honoured(fake: FakeSlack, sqlite_url: str) -> None:
    layer = make_layer(sqlite_url, [story(1)])
    fake.failures["chat.postMessage"] = [(429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})]

    async def scenario() -> float:
        async with running(fake, layer) as bolt:
            t0 = time.monotonic()
            await bolt.slash("start")
            await wait(fake, 1)
            return time.monotonic() - t0

    assert asyncio.run(scenario()) >= 1.0
    assert [m for m, _, _ in fake.calls if m.startswith("chat.postMessage")] == [
        "chat.postMessage!failed",
        "chat.postMessage",
    ]


def test_hostile_text_and_long_sections(fake: FakeSlack, sqlite_url: str) -> None:
    art = Article(
        id="h1", title="t", text="x", outlet="A&B <!here>", url="https://x.example/?a=1&b=2|<!channel>"
    )
    long = " ".join(f"Sentence {i} of a long and detailed <b>story</b>." for i in range(300))
    hostile = StoryDigest(
        story_id="h",
        headline=HOSTILE,
        summary=(SummarySentence("1", HOSTILE + " " + long, ("h1",)),),
        quotes=(Quote("q", HOSTILE, "@channel", ("h1",)),),
        articles=(art,),
    )
    layer = make_layer(sqlite_url, [hostile])
    layer.store.subscribe(ChatRef("slack", "C1", "group"), None)
    layer.store.subscribe(ChatRef("slack", "CGONE", "group"), None)
    fake.gone_channels.add("CGONE")

    async def scenario() -> Any:
        async with running(fake, layer) as bolt:
            return await deliver(layer, {"slack": bolt.adapter})

    report = asyncio.run(scenario())
    assert [c.chat_id for c in report.gone] == ["CGONE"] and [c.chat_id for c in report.sent] == ["C1"]
    assert not layer.store.subscription(ChatRef("slack", "CGONE")).active
    post = fake.posts()[0]
    assert "<!channel>" not in post["text"] and "&lt;b&gt;" in post["text"]
    sections = [b["text"] for b in post["blocks"] if b["type"] == "section"]
    assert all(s["type"] == "plain_text" and len(s["text"]) < SECTION_LIMIT for s in sections)
    assert len(sections) >= 4
    joined = " ".join(s["text"] for s in sections)
    assert joined.count(HOSTILE) == 2 and "Sentence 299 of a long and detailed <b>story</b>." in joined
    header = post["blocks"][0]["text"]
    assert header["type"] == "plain_text" and len(header["text"]) <= 150
    context = " ".join(e["text"] for b in post["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "<!" not in context and "&lt;!here&gt;" in context and "A&amp;B" in context
    assert "https://x.example/?a=1&amp;b=2%7C&lt;!channel&gt;|" in context
