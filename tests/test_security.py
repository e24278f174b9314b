"""The security properties of what chats see and send (docs/security.md maps each to its test):
article text cannot inject markup or mentions, secrets never reach logs or errors, admin commands
are refused to non-admins. Fetching is tests/test_security_fetch.py.

Everything runs for real on loopback: the chat adapters through python-telegram-bot and slack-bolt
against the fake APIs, the fetcher against tests/httpserver.py.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from admins import admin_config, layer_for
from fake_slack import FakeSlack
from fake_telegram import FakeTelegram
from httpserver import LoopbackServer
from test_commands import FixedNews, message_recorded, story
from test_slack import running as slack_running
from test_slack import texts, wait
from test_telegram import HOSTILE, sent_after
from test_telegram import running as telegram_running

from bot import redact
from bot.adapters.telegram.ratelimit import FloodLimiter
from bot.commands.core import ChatRef
from bot.commands.layer import CommandLayer
from bot.commands.state import ChatStore
from bot.llm import ChatRewriter, LLMError
from bot.scheduling.polling import poll_source
from bot.storage.db import open_store
from summarizer.types import Answer, Article, Citation, Quote, StoryDigest, SummarySentence


def unlimited() -> FloodLimiter:
    """Telegram's flood limits off: these tests send many replies into one group at once."""
    return FloodLimiter(per_chat_interval=0.0, group_per_minute=1000)


# --- 3. article text cannot inject markup or mentions ----------------------------------------------

EVIL = HOSTILE + " <a href=\"tg://user?id=1\">x</a> @username <@U123> <#C1> <!here> <!everyone> " \
    "<https://evil.example|click> *bold* _it_ ~s~ `code` &lt;"
EVIL_URL = 'https://x.example/?a=1&b="2"<|<!channel>'


class HostileNews(FixedNews):
    """Digests and answers whose every string is hostile, as feeds and articles can make them."""

    def ask(self, question: str, story_id: str | None = None) -> Answer:
        return Answer(question, True, EVIL, (Citation("h1", EVIL, EVIL_URL, EVIL),
                                             Citation("h2", "Outlet", "tg://resolve?domain=x", EVIL)))


def hostile_layer(url: str) -> CommandLayer:
    art = Article(id="h1", title=EVIL, text=EVIL, outlet=EVIL, url=EVIL_URL)
    digest = StoryDigest(story_id="h", headline=EVIL, summary=(SummarySentence("1", EVIL, ("h1",)),),
                         quotes=(Quote("q", EVIL, EVIL, ("h1",)),), articles=(art,))
    layer = layer_for(url, HostileNews([digest], admin_config()))
    layer.store.add_source("https://93.184.215.14/feed", EVIL)
    return layer


COMMANDS = ["/digest", "/ask what now?", "/sources", f"/help {EVIL}", f"/addsource {EVIL}"]


def test_telegram_messages_carry_hostile_text_only_as_text(telegram_api: FakeTelegram,
                                                           sqlite_url: str) -> None:
    layer = hostile_layer(sqlite_url)

    async def scenario() -> list[dict[str, Any]]:
        async with telegram_running(telegram_api, layer, limiter=unlimited()):
            for line in COMMANDS:
                telegram_api.push_message(-100, 5, line, chat_type="supergroup")
            return await sent_after(telegram_api, len(COMMANDS))

    sent = asyncio.run(scenario())
    from fake_telegram import HTMLCheck

    shown = ""
    for m in sent:
        check = HTMLCheck()
        check.feed(m["text"])
        assert check.error is None and m["parse_mode"] == "HTML"
        assert all(h.startswith(("https://", "http://")) for h, _ in check.links), check.links
        assert set(_tags(m["text"])) <= {"b", "i", "a"}
        plain = m["plain"]
        assert not any(ch == "@" and nxt.isalnum() for ch, nxt in itertools.pairwise(plain)), plain
        shown += plain.replace("\u2060", "")
    # Every hostile string arrived, character for character, as text: headline, summary, quote,
    # speaker, outlet, answer, citation outlets and snippets, the source listing and echoed arguments.
    assert shown.count(EVIL) >= 9


def _tags(markup: str) -> list[str]:
    from fake_telegram import HTMLCheck

    tags: list[str] = []

    class Tags(HTMLCheck):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Tags().feed(markup)
    return tags


def _mrkdwn_is_inert(text: str) -> None:
    """Our mrkdwn may hold links we built (<https://...|label>); nothing else may open with `<`."""
    for piece in text.split("<")[1:]:
        assert piece.startswith(("https://", "http://")) and "|" in piece.split(">")[0], text
    for word in ("@channel", "@here", "@everyone"):
        assert word not in text, text


def test_slack_payloads_carry_hostile_text_only_as_text(slack_api: FakeSlack, sqlite_url: str) -> None:
    layer = hostile_layer(sqlite_url)

    async def scenario() -> None:
        async with slack_running(slack_api, layer) as bolt:
            for line in COMMANDS:
                await bolt.slash(line.lstrip("/"), user="UADMIN")
            await wait(slack_api, 2, "chat.postEphemeral")  # the unknown /help topic, the bad /addsource
            await wait(slack_api, 3)  # the digest, the answer, the source listing

    asyncio.run(scenario())
    posts = slack_api.posts() + slack_api.posts("chat.postEphemeral")
    shown = ""
    for post in posts:
        _mrkdwn_is_inert(post["text"])
        for block in post.get("blocks") or []:
            parts = [block.get("text") or {}, *list(block.get("elements") or [])]
            for part in parts:
                if part.get("type") == "mrkdwn":
                    assert part.get("verbatim") is True
                    _mrkdwn_is_inert(part["text"])
                elif part.get("type") == "plain_text":
                    shown += part["text"]
                else:
                    assert part.get("type") in (None, "button"), part
        shown += " ".join(texts(post.get("blocks") or []))
    assert shown.count(EVIL) >= 5  # verbatim in plain_text: headline, summary, quote, answer, snippet


# --- 4. secrets never reach logs or error messages ---------------------------------------------------


def test_telegram_token_never_reaches_the_logs(telegram_api: FakeTelegram, sqlite_url: str,
                                               caplog: pytest.LogCaptureFixture,
                                               redactor: Callable[..., redact.Redactor]) -> None:
    redactor([telegram_api.token])
    caplog.set_level(logging.DEBUG)
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))
    telegram_api.failures["sendMessage"] = [(500, {"ok": False, "error_code": 500, "description": "boom"})]

    async def scenario() -> None:
        async with telegram_running(telegram_api, layer):
            telegram_api.push_message(42, 7, "/start")  # its reply fails: an error is logged
            telegram_api.push_message(42, 7, "/help")
            await sent_after(telegram_api, 1)

    asyncio.run(scenario())
    # httpx (our fetcher, PTB's default transport) logs request URLs at INFO: the Bot API's has the token.
    logging.getLogger("httpx").info("HTTP Request: POST %s/bot%s/sendMessage", telegram_api.base_url,
                                    telegram_api.token)
    text = caplog.text + "".join(str(r.exc_text) for r in caplog.records)
    assert "Telegram update failed" in text and "/bot[REDACTED]/sendMessage" in text
    assert telegram_api.token not in text


def test_slack_secrets_never_reach_the_logs(slack_api: FakeSlack, sqlite_url: str,
                                            caplog: pytest.LogCaptureFixture,
                                            redactor: Callable[..., redact.Redactor]) -> None:
    from test_slack import SECRET

    redactor(["xoxb-test", SECRET])
    caplog.set_level(logging.DEBUG)
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))
    slack_api.failures["chat.postMessage"] = [(200, {}, {"ok": False, "error": "invalid_auth"})]

    async def scenario() -> None:
        async with slack_running(slack_api, layer) as bolt:
            await bolt.slash("start", user="UADMIN")  # fails: logged with the request that failed
            await bolt.slash("help", secret="wrong", user="UADMIN")
            await bolt.slash("help", user="UADMIN")
            await wait(slack_api, 1)

    asyncio.run(scenario())
    text = caplog.text + "".join(str(r.exc_text) for r in caplog.records)
    assert "chat.postMessage" in text
    assert "xoxb-test" not in text and SECRET not in text
    assert slack_api.posts()[0]["_auth"] == "Bearer xoxb-test"  # the token did travel, in the header only


def test_failed_store_and_fetch_errors_carry_no_credentials(
        caplog: pytest.LogCaptureFixture, redactor: Callable[..., redact.Redactor],
        loopback: LoopbackServer, sqlite_url: str, fake_dns: dict[str, str]) -> None:
    db_url = "postgresql+psycopg://postgres:Db-Pa55word@127.0.0.1:1/nowhere"
    redactor(redact.secrets_from_env({"NEWSDIGEST_DB_URL": db_url}))
    log = logging.getLogger("bot.test")
    with pytest.raises(Exception) as caught, open_store(db_url).connect():
        pass
    assert "Db-Pa55word" not in str(caught.value)
    log.exception("cannot open the store at %s", db_url, exc_info=caught.value)
    log.error("retrying postgresql://app:Other-Secret9@db.example/news and password=hunter2222")
    # A source with credentials and a token in its URL: the poll's stored error and its log are clean.
    fake_dns["feeds.test"] = "10.0.0.1"
    engine = open_store(sqlite_url)
    source_id, _ = ChatStore(engine).add_source(
        "http://alice:Feed-Pa55@feeds.test/rss?token=Tok3nValue&page=2", None)
    outcome = poll_source(engine, admin_config(), source_id)
    log.warning("poll failed: %s", outcome.error)
    text = caplog.text + "".join(str(r.exc_text) for r in caplog.records)
    assert "cannot open the store at postgresql+psycopg://postgres:[REDACTED]@127.0.0.1:1/nowhere" in text
    for secret in ("Db-Pa55word", "Other-Secret9", "hunter2222", "Feed-Pa55", "Tok3nValue"):
        assert secret not in text and secret not in (outcome.error or "")
    assert "refused" in (outcome.error or "")


def test_llm_key_stays_out_of_errors_and_logs(loopback: LoopbackServer, caplog: pytest.LogCaptureFixture,
                                              redactor: Callable[..., redact.Redactor]) -> None:
    key = "sk-live-0123456789abcdefXYZ"
    redactor()  # no value known: the key is caught by its shape
    caplog.set_level(logging.INFO)
    loopback.add("/v1/chat/completions", "{}", status=401)
    base = loopback.url("/v1").replace("http://", f"http://user:{key}@")
    rewriter = ChatRewriter(base_url=base, model="m", api_key=key, retries=0,
                            transport=httpx.HTTPTransport())
    with pytest.raises(LLMError) as caught:
        rewriter.rewrite("prompt")
    logging.getLogger("bot.test").error("rewrite failed: %s", caught.value)
    assert key not in str(caught.value) and key not in caplog.text
    assert "HTTP Request: POST" in caplog.text


def test_start_up_installs_the_redaction(monkeypatch: pytest.MonkeyPatch, sqlite_url: str,
                                         caplog: pytest.LogCaptureFixture,
                                         redactor: Callable[..., redact.Redactor]) -> None:
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "4242:an-env-token-value")
    monkeypatch.setenv("NEWSDIGEST_LLM_API_KEY", "plain-looking-llm-key")
    assert main(["articles", "--db", sqlite_url]) == 0
    logging.getLogger("bot.test").warning("token %s, key %s", "4242:an-env-token-value",
                                          "plain-looking-llm-key")
    assert "an-env-token-value" not in caplog.text and "plain-looking-llm-key" not in caplog.text
    assert "token [REDACTED], key [REDACTED]" in caplog.text


# --- 5. admin commands are refused to non-admins on every path -------------------------------------


def test_telegram_non_admin_is_refused_on_every_path(telegram_api: FakeTelegram, sqlite_url: str) -> None:
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))
    group = ChatRef("telegram", "-100", "group")
    layer.store.add_source("https://93.184.215.14/feed", None)
    telegram_api.admins["-100"] = [6]  # user 6 administers the group; user 7 does not

    async def scenario() -> list[dict[str, Any]]:
        async with telegram_running(telegram_api, layer, limiter=unlimited()):
            telegram_api.push_message(-100, 7, "/digest", chat_type="group")
            story_msg = (await sent_after(telegram_api, 1))[0]
            attempts = ["/pause", "/removesource@news_bot 1", "/REMOVESOURCE 1", "/admins add 7",
                        "/set quotes off", "/addsource https://93.184.215.14/other"]
            for line in attempts:
                telegram_api.push_message(-100, 7, line, chat_type="group")
            telegram_api.push_message(-100, 7, "/removesource 1", chat_type="group",
                                      reply_to=story_msg["message_id"])  # a reply to the digest
            telegram_api.push_message(-100, 7, "/pause", chat_type="supergroup", thread_id=3)  # forum topic
            sent = await sent_after(telegram_api, 1 + len(attempts) + 2)
            with telegram_api.lock:  # an edited command and a channel post carry no admin's rights
                edited = {"message_id": 1, "date": 0, "edit_date": 1, "text": "/removesource 1",
                          "chat": {"id": -100, "type": "group", "title": "G"},
                          "from": {"id": 7, "is_bot": False, "first_name": "U"},
                          "entities": [{"type": "bot_command", "offset": 0, "length": 13}]}
                telegram_api._push({"edited_message": edited})
                post = dict(edited, chat={"id": -200, "type": "channel", "title": "C"})
                post.pop("from")
                telegram_api._push({"channel_post": post})
            mute = next(b["callback_data"] for row in story_msg["reply_markup"]["inline_keyboard"]
                        for b in row if b["text"] == "Mute story")
            telegram_api.push_callback(-100, 7, mute, story_msg["message_id"], chat_type="group")
            await asyncio.to_thread(lambda: _wait_calls(telegram_api, "answerCallbackQuery", 1))
            telegram_api.push_message(-100, 6, "/pause", chat_type="group")  # the group admin may
            return await sent_after(telegram_api, len(sent) + 2)  # the edit's refusal and the pause

    sent = asyncio.run(scenario())
    replies = sorted(m["plain"] for m in sent[1:])
    assert replies[0].startswith("Paused") and len(replies) == 10
    assert all("refused" in r for r in replies[1:]), replies
    toast = telegram_api.calls_of("answerCallbackQuery")[0]
    assert "refused" in toast.get("text", "")
    assert [loc for _, loc, _ in layer.store.sources()] == ["https://93.184.215.14/feed"]
    assert layer.store.muted(group) == set() and layer.store.admins(group) == []


def _wait_calls(fake: FakeTelegram, method: str, count: int) -> None:
    with fake.lock:
        assert fake.lock.wait_for(lambda: len([1 for m, _ in fake.calls if m == method]) >= count, 10)


def test_slack_non_admin_is_refused_on_every_path(slack_api: FakeSlack, sqlite_url: str) -> None:
    layer = layer_for(sqlite_url, FixedNews([story(1)], admin_config()))
    channel = ChatRef("slack", "C1", "group")
    layer.store.add_source("https://93.184.215.14/feed", None)

    async def scenario() -> None:
        async with slack_running(slack_api, layer) as bolt:
            await bolt.slash("digest", user="U7")
            post = (await wait(slack_api, 1))[0]
            ts = f"{slack_api.ts}.000100"
            await message_recorded(layer, ts)  # a thread reply counts once the digest's ts is stored
            await bolt.slash("1", command="/removesource", user="U7")
            await bolt.slash("pause", user="U7")
            base = {"user": "U7", "channel": "C1", "channel_type": "channel"}
            mention = dict(base, type="app_mention", text="<@UBOT> removesource 1", ts="300.1")
            await bolt.event(mention, "Ev1")
            in_thread = dict(base, type="message", text="removesource 1", ts="300.2", thread_ts=ts)
            await bolt.event(in_thread, "Ev2")
            await bolt.event({"type": "message", "user": "U7", "channel": "D1", "channel_type": "im",
                              "text": "addsource https://93.184.215.14/x", "ts": "300.3"}, "Ev3")
            mute = next(e["value"] for e in post["blocks"][-1]["elements"] if e["action_id"] == "nd_mute")
            await bolt.press(mute, "nd_mute", message_ts=ts, user="U7")
            refusals = await wait(slack_api, 6, "chat.postEphemeral")
            assert all("refused" in r["text"] for r in refusals), refusals
            await bolt.slash("pause", user="UADMIN")  # a configured admin may
            assert (await wait(slack_api, 2))[-1]["text"].startswith("Paused")

    asyncio.run(scenario())
    assert [loc for _, loc, _ in layer.store.sources()] == ["https://93.184.215.14/feed"]
    assert layer.store.muted(channel) == set()
