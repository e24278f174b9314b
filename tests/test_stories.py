"""Story clustering: same event joins, same-kind events stay apart, no chaining, window, stable state.

Clustering tests use the real embedding model (session fixture `embedder` in conftest.py).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from summarizer.embeddings import CachedEmbedder
from summarizer.keywords import (
    ENTITY_PREFIX,
    NUMBER_PREFIX,
    WORD_PREFIX,
    cosine,
    cosine_matrix,
    event_terms,
    tfidf,
    word_terms,
)
from summarizer.linkage import link_groups
from summarizer.stories import ClusterSettings, StoryClusterer, story_id_for
from summarizer.types import Article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


def art(aid: str, title: str, text: str, hours: float | None = 0.0) -> Article:
    published = None if hours is None else T0 + timedelta(hours=hours)
    return Article(id=aid, title=title, text=text, published=published)


QUAKE_TURKEY = [
    art("tr-1", "Magnitude 6.8 earthquake strikes eastern Turkey, killing at least 18",
        "A magnitude 6.8 earthquake struck Elazig province in eastern Turkey on Friday evening.\n"
        "At least 18 people were killed and hundreds injured, the AFAD disaster agency said.\n"
        "Rescue teams searched collapsed buildings in the town of Sivrice.", 0),
    art("tr-2", "Deadly quake rocks Turkey's Elazig province",
        "Rescuers in Turkey dug through rubble in Elazig after a powerful 6.8 quake.\n"
        "Officials said 18 people died and more than 500 were hurt in Elazig and Malatya.\n"
        "The epicentre was near Sivrice, on the shore of Lake Hazar.", 3),
    art("tr-3", "Turkey earthquake: death toll rises as rescuers search for survivors in Elazig",
        "The death toll from the earthquake in eastern Turkey has risen, the AFAD agency said.\n"
        "The 6.8 magnitude tremor hit Sivrice in Elazig province, toppling dozens of buildings.", 9),
]
QUAKE_PERU = [
    art("pe-1", "Magnitude 7.5 earthquake hits northern Peru",
        "A magnitude 7.5 earthquake struck the Amazon region of northern Peru on Sunday.\n"
        "The quake was centred near the town of Barranca in Loreto, the USGS said.\n"
        "Two people were killed and several houses collapsed in Yurimaguas.", 5),
    art("pe-2", "Strong quake shakes Peru's Loreto region, two dead",
        "A 7.5 earthquake shook Loreto in the Peruvian Amazon, killing two people.\n"
        "Peru's civil defence institute said homes were damaged in Yurimaguas and Barranca.", 8),
]


@pytest.fixture
def clusterer(embedder: CachedEmbedder) -> StoryClusterer:
    return StoryClusterer(embedder)


def by_story(ids: list[str]) -> list[set[int]]:
    groups: dict[str, set[int]] = {}
    for i, sid in enumerate(ids):
        groups.setdefault(sid, set()).add(i)
    return sorted(groups.values(), key=min)


# -- keywords (no model) ---------------------------------------------------------------------------

def test_event_terms_marks_names_and_numbers_not_sentence_starts() -> None:
    bag = event_terms("", "Rescuers reached Sivrice on Friday.\nThe quake killed 18 people in Elazig.")
    assert ENTITY_PREFIX + "sivrice" in bag and ENTITY_PREFIX + "elazig" in bag
    assert NUMBER_PREFIX + "18" in bag
    assert ENTITY_PREFIX + "rescuers" not in bag  # capitalised only because it opens the sentence
    assert not any(t.endswith("friday") for t in bag)  # weekdays say nothing about the event


def test_tfidf_rare_shared_names_outweigh_common_words() -> None:
    docs = [event_terms("", t) for t in (
        "The earthquake hit Elazig and killed 18.", "The earthquake hit Loreto and killed 2.",
        "An earthquake hit the coast.", "An earthquake was felt.")]
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    vecs = [tfidf(d, df, len(docs)) for d in docs]
    same_place = tfidf(event_terms("", "Rescuers in Elazig count 18 dead."), df, len(docs))
    assert cosine(same_place, vecs[0]) > cosine(same_place, vecs[1])
    assert abs(sum(v * v for v in vecs[0].values()) - 1.0) < 1e-9


def test_word_terms_keep_content_words_and_numbers_not_stop_words() -> None:
    bag = word_terms("Quake hits Peru", "The quake killed 2 people and the quake destroyed 40 homes.")
    assert bag[WORD_PREFIX + "quake"] == 3.0 and WORD_PREFIX + "40" in bag
    assert WORD_PREFIX + "the" not in bag and WORD_PREFIX + "and" not in bag


def test_cosine_matrix_matches_pairwise_cosine() -> None:
    texts = ("Quake in Elazig kills 18.", "Elazig quake toll rises.", "Budget vote.")
    docs = [event_terms("", t) for t in texts]
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    vecs = [tfidf(d, df, len(docs)) for d in docs]
    matrix = cosine_matrix(vecs)
    for i, a in enumerate(vecs):
        for j, b in enumerate(vecs):
            assert matrix[i, j] == pytest.approx(cosine(a, b), abs=1e-6)
    assert matrix[0, 1] > matrix[0, 2]


# -- clustering (real model) -----------------------------------------------------------------------

@pytest.mark.model
def test_reworded_headlines_of_one_event_join(clusterer: StoryClusterer) -> None:
    ids = clusterer.add_many(QUAKE_TURKEY)
    assert len(set(ids)) == 1
    assert ids[0] == story_id_for("tr-1")


@pytest.mark.model
def test_two_earthquakes_stay_apart(clusterer: StoryClusterer) -> None:
    articles = QUAKE_TURKEY + QUAKE_PERU
    ids = clusterer.add_many(articles)
    assert by_story(ids) == [{0, 1, 2}, {3, 4}]
    stories = {s.id: {a.id for a in s.articles} for s in clusterer.stories()}
    assert stories == {story_id_for("tr-1"): {"tr-1", "tr-2", "tr-3"}, story_id_for("pe-1"): {"pe-1", "pe-2"}}


@pytest.mark.model
def test_two_rehab_stories_stay_apart(clusterer: StoryClusterer) -> None:
    articles = [
        art("a1", "Tara Reid checks into rehab", "Actress Tara Reid has checked into Promises Treatment "
            "Center in Malibu, her publicist said on Tuesday.", None),
        art("a2", "Lindsay Lohan enters rehab facility", "Lindsay Lohan has entered the Betty Ford Center "
            "in Rancho Mirage, California, her lawyer said on Tuesday.", None),
        art("a3", "Tara Reid enters Promises rehab in Malibu", "Tara Reid, 33, entered the Promises "
            "treatment centre in Malibu, a spokesman for the American Pie star confirmed.", None),
    ]
    assert by_story(clusterer.add_many(articles)) == [{0, 2}, {1}]


@pytest.mark.model
def test_no_chaining_through_a_bridge_article(embedder: CachedEmbedder) -> None:
    a = art("c-a", "", "The central bank raised interest rates by half a point to fight inflation.", 0)
    b = art("c-b", "", "The central bank raised interest rates on the day the national football team "
            "won the cup.", 1)
    c = art("c-c", "", "The national football team won the cup after a dramatic penalty shootout.", 2)
    va, vb, vc = embedder.embed([x.text for x in (a, b, c)])
    assert float(va @ vb) > 0.5 and float(vb @ vc) > 0.35 and float(va @ vc) < 0.2  # a chain A-B-C
    loose = ClusterSettings(semantic=1.0, words=0.0, hub=0.0, join=0.2, min_link=0.3)
    ids = StoryClusterer(embedder, settings=loose).add_many([a, b, c])
    assert ids[0] == ids[1] and ids[2] != ids[0]
    # the same thresholds without the worst-link guard do chain: the guard is what keeps C out
    chaining = ClusterSettings(semantic=1.0, words=0.0, hub=0.0, join=0.2, min_link=-1.0)
    assert len(set(StoryClusterer(embedder, settings=chaining).add_many([a, b, c]))) == 1
    # one at a time, C is checked against the story {A, B} as a whole: the average link keeps it out
    # even without the guard once the bar is above the average of B-C and A-C
    strict = ClusterSettings(semantic=1.0, words=0.0, hub=0.0, join=float(va @ vb) - 0.01, min_link=-1.0)
    one_by_one = StoryClusterer(embedder, settings=strict)
    assert [one_by_one.add(x) for x in (a, b, c)] == [story_id_for("c-a")] * 2 + [story_id_for("c-c")]


@pytest.mark.model
def test_time_window_separates_a_late_article(embedder: CachedEmbedder) -> None:
    late = art("tr-late", QUAKE_TURKEY[1].title, QUAKE_TURKEY[1].text, hours=24 * 10)
    ids = StoryClusterer(embedder, window=timedelta(hours=72)).add_many([QUAKE_TURKEY[0], late])
    assert ids[0] != ids[1]
    ids = StoryClusterer(embedder, window=timedelta(days=30)).add_many([QUAKE_TURKEY[0], late])
    assert ids[0] == ids[1]


@pytest.mark.model
def test_idle_stories_are_closed_and_dropped_from_state(embedder: CachedEmbedder) -> None:
    other = art("x-1", "Parliament passes budget", "Lawmakers approved the annual budget.", hours=24 * 10)
    clusterer = StoryClusterer(embedder, window=timedelta(hours=72))
    clusterer.add_many([*QUAKE_TURKEY, other])
    assert [s["id"] for s in clusterer.to_dict()["stories"]] == [story_id_for("x-1")]


@pytest.mark.model
def test_ids_stable_across_runs_and_input_order(embedder: CachedEmbedder) -> None:
    articles = QUAKE_TURKEY + QUAKE_PERU
    first = StoryClusterer(embedder).add_many(articles)
    shuffled = list(reversed(articles))
    second = StoryClusterer(embedder).add_many(shuffled)
    assert dict(zip([a.id for a in articles], first, strict=True)) == \
        dict(zip([a.id for a in shuffled], second, strict=True))
    assert set(first) == {story_id_for("tr-1"), story_id_for("pe-1")}


@pytest.mark.model
def test_state_round_trip_continues_incrementally(embedder: CachedEmbedder) -> None:
    articles = sorted(QUAKE_TURKEY + QUAKE_PERU, key=lambda a: (a.published, a.id))
    head, tail = articles[:3], articles[3:]
    uninterrupted = StoryClusterer(embedder)
    expected = uninterrupted.add_many(head) + uninterrupted.add_many(tail)

    part = StoryClusterer(embedder)
    first = part.add_many(head)
    state = json.loads(json.dumps(part.to_dict()))  # plain JSON types only
    restored = StoryClusterer.from_dict(state, embedder)
    assert restored.to_dict() == state
    assert first + restored.add_many(tail) == expected
    assert restored.to_dict() == uninterrupted.to_dict()
    assert restored.add(articles[0]) == expected[0]  # a known article keeps its story
    assert len(set(expected)) == 2


@pytest.mark.model
def test_a_version_2_state_recalls_neighbours_once_and_continues(embedder: CachedEmbedder) -> None:
    articles = sorted(QUAKE_TURKEY + QUAKE_PERU, key=lambda a: (a.published, a.id))
    uninterrupted = StoryClusterer(embedder)
    expected = uninterrupted.add_many(articles[:3]) + uninterrupted.add_many(articles[3:])
    part = StoryClusterer(embedder)
    part.add_many(articles[:3])
    state = json.loads(json.dumps(part.to_dict()))
    assert state["version"] == 3
    for story in state["stories"]:
        for member in story["members"]:
            assert len(member.pop("nearest")) == 2  # a pool of three: two neighbours each
    state["version"] = 2
    restored = StoryClusterer.from_dict(state, embedder)
    assert restored.add_many(articles[3:]) == expected[3:]
    # every member has its neighbours again (recalled under the newer document frequencies)
    again = restored.to_dict()["stories"]
    assert [len(m["nearest"]) for st in again for m in st["members"]] == [3] * len(articles)


@pytest.mark.model
def test_interleaved_arrivals_of_two_events_sort_out(embedder: CachedEmbedder) -> None:
    # the first Peru report arrives between Turkey reports, before any Peru story exists
    articles = [QUAKE_TURKEY[0], QUAKE_PERU[0], *QUAKE_TURKEY[1:], QUAKE_PERU[1]]
    batch = StoryClusterer(embedder).add_many(articles)
    assert by_story(batch) == [{0, 2, 3}, {1, 4}]
    assert batch[1] == story_id_for("pe-1")
    one_by_one = StoryClusterer(embedder)
    assert [one_by_one.add(a) for a in articles] == batch  # incremental arrivals decide the same


@pytest.mark.model
def test_batch_outcome_does_not_depend_on_arrival_order(embedder: CachedEmbedder) -> None:
    undated = [art(a.id, a.title, a.text, None) for a in QUAKE_TURKEY + QUAKE_PERU]
    first = StoryClusterer(embedder).add_many(undated)
    for order in (undated[::-1], undated[1::2] + undated[::2]):
        again = StoryClusterer(embedder).add_many(order)
        assert dict(zip([a.id for a in order], again, strict=True)) == \
            dict(zip([a.id for a in undated], first, strict=True))


def average_linkage(sims: np.ndarray, n_fixed: int, times: list[float], window: float, join: float,
                    min_link: float) -> list[int]:
    """`link_groups` over single-member groups (the first `n_fixed` of them existing stories)."""
    stamps = np.asarray(times, dtype=np.float64)
    return link_groups(sims.copy(), sims.copy(), np.ones(len(sims)), stamps.copy(), stamps.copy(), n_fixed,
                       window, join, min_link)


def test_average_linkage_merges_groups_not_chains() -> None:
    # 0-1 close, 1-2 close, 0-2 far: single linkage would chain all three; average linkage must not
    sims = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.5], [0.0, 0.5, 1.0]])
    assert average_linkage(sims, 0, [math.nan] * 3, 0.0, join=0.3, min_link=-1.0) == [0, 0, 2]
    assert average_linkage(sims, 0, [math.nan] * 3, 0.0, join=0.2, min_link=-1.0) == [0, 0, 0]
    assert average_linkage(sims, 0, [math.nan] * 3, 0.0, join=0.2, min_link=0.1) == [0, 0, 2]


def test_average_linkage_keeps_existing_stories_apart_and_respects_the_window() -> None:
    # groups 0 and 1: existing stories A (two members: sums and counts say so) and B, 2: a newcomer
    total = np.array([[0.0, 1.6, 1.6], [1.6, 0.0, 0.8], [1.6, 0.8, 0.0]])
    worst = np.full((3, 3), 0.8)
    day = 86400.0

    def link(first: list[float], last: list[float], window: float) -> list[int]:
        return link_groups(total.copy(), worst.copy(), np.array([2.0, 1.0, 1.0]), np.array(first),
                           np.array(last), 2, window, join=0.5, min_link=-1.0)

    assert link([math.nan] * 3, [math.nan] * 3, 0.0) == [0, 1, 0]
    # the newcomer is dated with B, far from A (which spans days 0-1)
    assert link([0.0, 10 * day, 10 * day], [day, 10 * day, 10 * day], 3 * day) == [0, 1, 1]
    sims = np.full((4, 4), 0.8)
    times = [0.0, day, 10 * day, 10 * day]
    assert average_linkage(sims, 0, times, 3 * day, join=0.5, min_link=-1.0) == [0, 0, 2, 2]


def test_average_linkage_merges_a_newcomer_group_into_a_story() -> None:
    # newcomers 1 and 2 are close to each other; only 1 is close enough to story 0 on its own, and the
    # pair still joins it: the story absorbs the merged group when the group average stays >= join
    sims = np.array([[0.0, 0.9, 0.3], [0.9, 0.0, 0.8], [0.3, 0.8, 0.0]])
    assert average_linkage(sims, 1, [math.nan] * 3, 0.0, join=0.5, min_link=-1.0) == [0, 0, 0]
    assert average_linkage(sims, 1, [math.nan] * 3, 0.0, join=0.7, min_link=-1.0) == [0, 0, 2]


@pytest.mark.model
def test_state_vectors_survive_serialisation(embedder: CachedEmbedder) -> None:
    clusterer = StoryClusterer(embedder)
    clusterer.add_many(QUAKE_PERU)
    restored = StoryClusterer.from_dict(json.loads(json.dumps(clusterer.to_dict())), embedder)
    original = np.stack([m.vector for s in clusterer._stories for m in s.members])
    again = np.stack([m.vector for s in restored._stories for m in s.members])
    assert np.array_equal(original, again)


@pytest.mark.model
def test_the_five_seeds_form_one_story(clusterer: StoryClusterer) -> None:
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        articles.append(Article(id=path.stem, title="", text="\n".join(lines)))
    assert len(articles) == 5
    assert len(set(clusterer.add_many(articles))) == 1


@pytest.mark.model
def test_a_version_1_state_is_taken_over_with_current_settings(embedder: CachedEmbedder) -> None:
    clusterer = StoryClusterer(embedder)
    clusterer.add_many(QUAKE_TURKEY)
    state = clusterer.to_dict()
    state["version"] = 1
    state["settings"] = {"semantic": 0.4, "join": 0.38, "mean_link": 0.3, "min_link": 0.15, "floor": 0.25}
    restored = StoryClusterer.from_dict(state, embedder)
    assert restored.settings == ClusterSettings()
    assert restored.add_many(QUAKE_PERU) == [story_id_for("pe-1")] * 2
    assert restored.assignments()["tr-2"] == story_id_for("tr-1")


def test_hub_scores_shrink_toward_the_prior_in_a_sparse_pool(embedder: CachedEmbedder) -> None:
    # an early article's story-mates have mostly not arrived: its pool neighbours understate its hubness
    settings = ClusterSettings(hub_k=2, hub_prior=0.5, hub_pool=200)
    hubness = StoryClusterer(embedder, settings=settings)._hubness
    nearest = np.array([[0.2, 0.1], [0.9, -np.inf]], dtype=np.float32)
    assert np.allclose(hubness(nearest, 200), [0.15, 0.7])  # a full pool: its own neighbours (and the prior)
    assert np.allclose(hubness(nearest, 1000), [0.15, 0.7])
    assert np.allclose(hubness(nearest, 50), [0.25 * 0.15 + 0.75 * 0.5, 0.25 * 0.7 + 0.75 * 0.5])
    assert np.allclose(hubness(nearest, 0), [0.5, 0.5])
