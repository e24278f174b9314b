"""The command layer on a real store: every command, usage errors, permissions, buttons, migration 0002."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from bot.commands import callbacks
from bot.commands.core import ChatRef, Reply, Request
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.commands.urls import refuse_url
from bot.config import Config
from bot.service import Newsroom
from bot.storage.chat_models import SentMessageRow
from bot.storage.db import downgrade, migrate, open_store
from bot.storage.models import ArticleRow, StoryArticleRow, StoryRow
from summarizer.embeddings import CachedEmbedder, TorchEmbedder
from summarizer.types import Answer, Article, Quote, StoryDigest, SummarySentence

CHAT_TABLES = {"chats", "subscriptions", "chat_admins", "muted_stories", "sent_messages", "slack_events"}


def story(
    n: int,
    headline: str | None = None,
    summary: str | None = None,
    quotes: Sequence[Quote] = (),
    outlets: int = 2,
) -> StoryDigest:
    """A digest built directly from the data model (no model needed for layer and delivery tests)."""
    body = summary or f"Story {n} happened. More about story {n}."
    arts = tuple(
        Article(
            id=f"s{n}a{i}",
            title=headline or f"Title {n}",
            text=body,
            outlet=f"Outlet {i}",
            url=f"https://outlet{i}.example/{n}",
        )
        for i in range(outlets)
    )
    sentences = body.split(". ")
    return StoryDigest(
        story_id=f"story-{n}",
        headline=headline or f"Headline {n}",
        summary=tuple(
            SummarySentence(id=f"{n}.{i}", text=s, sources=(arts[0].id,)) for i, s in enumerate(sentences)
        ),
        quotes=tuple(quotes),
        articles=arts,
    )


_MODEL: list[CachedEmbedder] = []


def shared_model() -> CachedEmbedder:
    """The real embedding model, loaded once per test process for the /ask code path."""
    if not _MODEL:
        _MODEL.append(CachedEmbedder(TorchEmbedder()))
    return _MODEL[0]


class FixedNews:
    """The façade's digest side over a fixed list of digests (what a delivery or formatting test needs)."""

    def __init__(self, digests: Sequence[StoryDigest], config: Config | None = None) -> None:
        self.digests = list(digests)
        self.config = config or Config()
        self.calls: list[tuple[int | None, tuple[str, ...]]] = []
        self._newsroom: Newsroom | None = None

    def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]:
        self.calls.append((limit, tuple(keywords)))
        out = [
            d
            for d in self.digests
            if not keywords
            or any(k in (d.headline + " ".join(s.text for s in d.summary)).lower() for k in keywords)
        ]
        return out[: limit or self.config.digest.max_stories]

    def ask(self, question: str, story_id: str | None = None) -> Answer:
        """The real /ask code path (`Newsroom.ask`) over this façade's articles in a throwaway store."""
        if self._newsroom is None:
            engine = open_store(f"sqlite:///{tempfile.mkdtemp()}/ask.db")
            with Session(engine) as session:
                for digest in self.digests:
                    session.add(StoryRow(id=digest.story_id))
                    for article in digest.articles:
                        session.add(ArticleRow(id=article.id, title=article.title, text=article.text,
                                               raw_text=article.text, outlet=article.outlet, url=article.url,
                                               fingerprint=article.id))
                        session.flush()
                        session.add(StoryArticleRow(article_id=article.id, story_id=digest.story_id))
                session.commit()
            self._newsroom = Newsroom(self.config, engine, model=shared_model())
        return self._newsroom.ask(question, story_id)


async def message_recorded(layer: CommandLayer, message_id: str, timeout: float = 10.0) -> None:
    """Wait until the adapter has stored a posted message's id: the platform sees the message before
    our store does, and a reply to it only counts as a follow-up once the id is stored."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with Session(layer.store.engine) as session:
            if session.scalars(select(SentMessageRow).where(SentMessageRow.message_id == message_id)).first():
                return
        assert asyncio.get_running_loop().time() < deadline, f"message {message_id} never recorded"
        await asyncio.sleep(0.02)


PRIVATE = ChatRef("telegram", "42", "private")
GROUP = ChatRef("telegram", "-100", "group", title="Group")


@pytest.fixture
def layer(sqlite_url: str) -> CommandLayer:
    engine = open_store(sqlite_url)
    news = FixedNews(
        [story(1, "Flood in the valley"), story(2, "Election results"), story(3, "Storm warning")]
    )
    return CommandLayer(news, ChatStore(engine), callback_key("test"))


async def _yes(chat: ChatRef, user: str) -> bool:
    return True


async def _no(chat: ChatRef, user: str) -> bool:
    return False


def run(
    layer: CommandLayer,
    chat: ChatRef,
    line: str,
    user: str = "7",
    admin: bool = False,
    story_id: str | None = None,
) -> Reply:
    name, _, args = line.lstrip("/").partition(" ")
    return asyncio.run(
        layer.handle(
            Request(chat=chat, user_id=user, command=name, args=args, story_id=story_id),
            _yes if admin else _no,
        )
    )


def test_chat_migration_sqlite(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    assert set(inspect(engine).get_table_names()) >= CHAT_TABLES
    downgrade(engine, "0002")
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0002"
    assert set(inspect(engine).get_table_names()) >= CHAT_TABLES
    downgrade(engine, "0001")
    assert not CHAT_TABLES & set(inspect(engine).get_table_names())
    assert "articles" in inspect(engine).get_table_names()
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= CHAT_TABLES


@pytest.mark.postgres
def test_chat_migration_postgres(pg_url: str) -> None:
    engine = open_store(pg_url)
    try:
        assert set(inspect(engine).get_table_names()) >= CHAT_TABLES
        store = ChatStore(engine)
        store.subscribe(GROUP, ["flood"])
        assert store.first_delivery("Ev1") and not store.first_delivery("Ev1")
        assert [s.keywords for s in store.active_subscriptions()] == [("flood",)]
        downgrade(engine, "0001")
        assert not CHAT_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_start_help_and_unknown(layer: CommandLayer) -> None:
    assert "/subscribe" in run(layer, PRIVATE, "/start").text
    helptext = run(layer, PRIVATE, "/help").text
    for name in (
        "subscribe",
        "unsubscribe",
        "digest",
        "ask",
        "sources",
        "settings",
        "addsource",
        "removesource",
        "schedule",
        "set",
        "pause",
        "resume",
        "admins",
    ):
        assert f"/{name}" in helptext
    assert "storysources" not in helptext  # button commands stay out of the list
    assert run(layer, PRIVATE, "/help schedule").text.startswith("/schedule HH:MM")
    assert run(layer, PRIVATE, "/help nope").kind == "error"
    assert run(layer, PRIVATE, "/frobnicate").kind == "error"


def test_subscribe_digest_settings(layer: CommandLayer) -> None:
    assert "all stories" in run(layer, PRIVATE, "/subscribe").text
    reply = run(layer, PRIVATE, "/digest")
    assert reply.kind == "digest" and [d.story_id for d in reply.digests] == ["story-1", "story-2", "story-3"]
    assert "flood, storm" in run(layer, PRIVATE, "/subscribe flood, Storm").text
    assert [d.story_id for d in run(layer, PRIVATE, "/digest").digests] == ["story-1", "story-3"]
    settings = run(layer, PRIVATE, "/settings").text
    assert "Subscription: subscribed" in settings and "Keywords: flood, storm" in settings
    assert "Unsubscribed" in run(layer, PRIVATE, "/unsubscribe").text
    assert "not subscribed" in run(layer, PRIVATE, "/unsubscribe").text
    assert layer.store.active_subscriptions() == []


def test_set_schedule_pause(layer: CommandLayer) -> None:
    run(layer, PRIVATE, "/subscribe")
    assert "max_stories is now 1" in run(layer, PRIVATE, "/set max_stories 1").text
    assert len(run(layer, PRIVATE, "/digest").digests) == 1
    run(layer, PRIVATE, "/set max_stories 10")
    long = "The river rose above the old stone bridge overnight. " * 2 + "Schools stayed closed on Monday"
    quoted = StoryDigest(
        **{**story(9, summary=long).__dict__, "quotes": (Quote("q", "A quote.", "Ann", ("s9a0",)),)}
    )
    layer.news.digests.insert(0, quoted)  # type: ignore[attr-defined]
    assert run(layer, PRIVATE, "/digest").digests[0].quotes
    assert "quotes is now off" in run(layer, PRIVATE, "/set quotes off").text
    assert not run(layer, PRIVATE, "/digest").digests[0].quotes
    run(layer, PRIVATE, "/set summary_length 100")
    assert len(run(layer, PRIVATE, "/digest").digests[0].summary) == 1
    assert "none" in run(layer, PRIVATE, "/set keywords none").text
    assert run(layer, PRIVATE, "/set colour blue").text.startswith("Usage: /set KEY VALUE")
    assert run(layer, PRIVATE, "/set max_stories 0").kind == "error"
    assert "08:00, 18:30 (Europe/Berlin)" in run(layer, PRIVATE, "/schedule 18:30,8:00 Europe/Berlin").text
    assert run(layer, PRIVATE, "/schedule 25:00").kind == "error"
    assert "IANA" in run(layer, PRIVATE, "/schedule 08:00 Mars/Olympus").text
    assert run(layer, PRIVATE, "/pause").text.startswith("Paused")
    assert layer.store.active_subscriptions() == []
    assert run(layer, PRIVATE, "/resume").text == "Resumed."
    sub = layer.store.active_subscriptions()[0]
    assert sub.schedule == ("08:00", "18:30") and sub.timezone == "Europe/Berlin" and sub.quotes is False


def test_group_needs_admins(layer: CommandLayer, caplog: pytest.LogCaptureFixture) -> None:
    for line in (
        "/subscribe",
        "/unsubscribe",
        "/set quotes off",
        "/schedule 08:00",
        "/pause",
        "/resume",
        "/addsource https://93.184.215.14/feed",
        "/removesource 1",
        "/admins list",
    ):
        reply = run(layer, GROUP, line)
        assert reply.kind == "error" and "refused" in reply.text and "admins" in reply.text, line
    assert "refused /subscribe for user 7" in caplog.text
    # Anyone may read.
    assert run(layer, GROUP, "/digest").kind == "digest"
    assert run(layer, GROUP, "/sources").kind == "text"
    # The platform's admins may configure; so may admins added in the chat.
    assert "Subscribed" in run(layer, GROUP, "/subscribe", admin=True).text
    assert "8 is now an admin" in run(layer, GROUP, "/admins add 8", admin=True).text
    assert "Paused" in run(layer, GROUP, "/pause", user="8").text
    assert "• 8" in run(layer, GROUP, "/admins list", user="8").text
    assert "no longer" in run(layer, GROUP, "/admins remove 8", user="8").text
    assert run(layer, GROUP, "/resume", user="8").kind == "error"
    # Global actions stay admin-only in a private chat too.
    assert run(layer, PRIVATE, "/addsource https://93.184.215.14/feed").kind == "error"
    assert run(layer, PRIVATE, "/admins add 9").kind == "error"


def test_sources_add_remove(layer: CommandLayer) -> None:
    # Sources are shared by every chat: a group's own admin may not change them, a configured admin may.
    refused = run(layer, GROUP, "/addsource https://93.184.215.14/feed.xml", admin=True)
    assert refused.kind == "error" and "configured admins" in refused.text
    layer.news.config.telegram.admin_ids = ["7"]
    reply = run(layer, GROUP, "/addsource https://93.184.215.14/feed.xml Example News", admin=True)
    assert "Added source #1" in reply.text
    assert "already" in run(layer, GROUP, "/addsource https://93.184.215.14/feed.xml", admin=True).text
    assert "#1 Example News — https://93.184.215.14/feed.xml" in run(layer, GROUP, "/sources").text
    for bad in (
        "http://127.0.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/feed",
        "http://[::1]/",
        "http://localhost:8080/",
        "file:///etc/passwd",
        "https://user:pw@93.184.215.14/",
    ):
        reply = run(layer, GROUP, f"/addsource {bad}", admin=True)
        assert reply.kind == "error" and "Cannot add" in reply.text, bad
    assert run(layer, GROUP, "/addsource notaurl", admin=True).text.startswith("Usage: /addsource")
    assert "Removed source #1" in run(layer, GROUP, "/removesource 1", admin=True).text
    assert run(layer, GROUP, "/removesource 1", admin=True).kind == "error"
    assert run(layer, GROUP, "/removesource one", admin=True).text.startswith("Usage:")
    assert "#1" not in run(layer, GROUP, "/sources").text


def test_url_check_allow_list() -> None:
    assert refuse_url("http://10.1.2.3/feed", ["10.0.0.0/8"]) is None
    assert refuse_url("http://10.1.2.3/feed") is not None
    assert refuse_url("http://[::ffff:127.0.0.1]/") is not None


def test_buttons(layer: CommandLayer) -> None:
    digest = run(layer, GROUP, "/digest").digests[0]
    record = layer.store.record_story(GROUP, digest)
    press = lambda chat, data, admin=False: asyncio.run(  # noqa: E731
        layer.press(chat, "7", data, _yes if admin else _no)
    )
    sources = press(GROUP, layer.button(GROUP, "sources", record))
    assert [s.outlet for s in sources.links] == ["Outlet 0", "Outlet 1"]
    prompt = press(GROUP, layer.button(GROUP, "ask", record))
    assert prompt.kind == "prompt" and prompt.prompt_story == "story-1"
    # Muting changes the chat's configuration: refused for a member of a group, fine for its admin.
    assert press(GROUP, layer.button(GROUP, "mute", record)).kind == "error"
    assert "Muted" in press(GROUP, layer.button(GROUP, "mute", record), admin=True).text
    assert "story-1" not in [d.story_id for d in run(layer, GROUP, "/digest").digests]
    # Forged, tampered or replayed-elsewhere data gets one short error.
    for data in (
        "b:s:1:AAAAAAAAAAAA",
        "garbage",
        layer.button(GROUP, "sources", record)[:-1] + "x",
        layer.button(PRIVATE, "sources", record),
    ):
        reply = press(GROUP, data)
        assert reply.kind == "error" and len(reply.text) < 60, data
    # A correctly signed press for a record of another chat is refused too.
    other = layer.store.record_story(PRIVATE, digest)
    assert press(GROUP, layer.button(GROUP, "sources", other)).kind == "error"
    assert len(layer.button(GROUP, "mute", 10**9).encode()) <= 64


def test_callback_roundtrip() -> None:
    key = callback_key("k")
    data = callbacks.encode(key, GROUP, "ask", 12)
    assert callbacks.decode(key, GROUP, data) == callbacks.Press("ask", 12)
    with pytest.raises(callbacks.BadCallback):
        callbacks.decode(callback_key("other"), GROUP, data)


def test_usage_lines(layer: CommandLayer) -> None:
    assert run(layer, PRIVATE, "/ask").text.startswith("Usage: /ask QUESTION")
    assert run(layer, PRIVATE, "/ask " + "x" * 600).kind == "error"
    assert run(layer, PRIVATE, "/admins promote 5", admin=True).text.startswith("Usage: /admins")
    assert run(layer, PRIVATE, "/schedule", admin=True).text.startswith("Usage: /schedule")


def test_ask_through_the_real_code(layer: CommandLayer) -> None:
    pytest.importorskip("bot.ask.service")
    reply = run(layer, PRIVATE, "/ask What happened in the valley?")
    assert reply.kind == "answer" and reply.answer is not None and reply.answer.question


def test_handler_failure_is_contained(tmp_path: Path) -> None:
    class Broken(FixedNews):
        def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]:
            raise RuntimeError("boom")

    layer = CommandLayer(Broken([]), ChatStore(open_store(f"sqlite:///{tmp_path / 's.db'}")), b"k")
    reply = run(layer, PRIVATE, "/digest")
    assert reply.kind == "error" and "failed" in reply.text
