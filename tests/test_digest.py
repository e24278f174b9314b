"""Extractive digests: rules (no model) and digests of the seed story (real embedding model)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from summarizer.digest import DigestOptions, clean_title, sentence_id, summarize_story, update_digest
from summarizer.embeddings import CachedEmbedder
from summarizer.extractive import (
    candidates,
    information,
    is_boilerplate,
    is_complete,
    leans_back,
    lexrank,
    mmr_select,
    quoted_share,
    strip_dateline,
    tfidf,
    title_candidates,
)
from summarizer.types import Article, Quote, Story

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PRONOUN_START = re.compile(r"^(he|she|they|it|this|these|those|his|her|their|its|we|i)\b", re.IGNORECASE)


def seed_articles() -> tuple[Article, ...]:
    return tuple(Article(id=p.stem, title="", text=p.read_text(encoding="utf-8"),
                         outlet=f"outlet-{p.stem[:3]}") for p in sorted(SEEDS.glob("*.txt")))


# --- rules, no model -------------------------------------------------------------------------------


def test_sentence_rules() -> None:
    assert is_boilerplate("Read more: https://example.com/story")
    assert is_boilerplate("⏱ 3 minute read")
    assert not is_boilerplate("The minister said talks would resume in Istanbul.")
    assert is_complete("Talks resume on Friday.") and is_complete("“We will win,” he said.”")
    assert not is_complete("Web Desk A suicide bomber killed at least 31 worshippers after…")
    assert not is_complete("Afghanistan Times Latest News and Analysis from the Region")
    assert leans_back("He added that a system is being developed.")
    assert leans_back("This cannot continue, the minister said.")
    assert not leans_back("Asif added that a system is being developed.")
    assert quoted_share("“We were being attacked. So we just did tit for tat,” he said.") > 0.7
    assert strip_dateline("ISLAMABAD (Kashmir English): Defence Minister Khawaja Asif said so.") == (
        "Defence Minister Khawaja Asif said so.")
    assert strip_dateline("KABUL – Pakistan’s Defence Minister said so.") == (
        "Pakistan’s Defence Minister said so.")
    assert strip_dateline("WASHINGTON (Reuters) - The U.S. economy grew.") == "The U.S. economy grew."
    assert strip_dateline("Islamabad has long demanded action.") == "Islamabad has long demanded action."


def test_candidates_drop_furniture_and_fragments() -> None:
    texts = [c.text for c in candidates(seed_articles())]
    assert not any("Read more" in t or "minute read" in t or "Posts List" in t for t in texts)
    assert not any(t.endswith("…") for t in texts)
    assert "Afghanistan Times Latest News and Analysis from Afghanistan and the Region" not in texts
    assert not any(t.startswith("ISLAMABAD") or t.startswith("KABUL") for t in texts)


def test_sentence_ids_are_stable_and_normalised() -> None:
    assert sentence_id("Talks resume in Istanbul.") == sentence_id("talks  resume in Istanbul")
    assert sentence_id("Talks resume in Istanbul.") != sentence_id("Talks end in Istanbul.")
    assert len(sentence_id("x")) == 16


def test_clean_title() -> None:
    assert clean_title("Ties can’t normalize unless Afghanistan stops backing TTP - The Daily Post") == (
        "Ties can’t normalize unless Afghanistan stops backing TTP")
    assert clean_title("Pak-Afghan talks to resume in Istanbul") == "Pak-Afghan talks to resume in Istanbul"


def test_mmr_respects_budget_and_redundancy() -> None:
    scores = np.array([1.0, 0.95, 0.5, 0.4])
    sim = np.eye(4)
    sim[0, 1] = sim[1, 0] = 0.9  # 1 repeats 0
    picked = mmr_select(scores, sim, [100, 100, 100, 100], k=3, max_chars=250)
    assert picked == [0, 2]  # 1 is redundant, and a third sentence would exceed 250 characters
    assert mmr_select(scores, sim, [300, 300, 40, 40], k=3, max_chars=100) == [2, 3]


def test_lexrank_prefers_the_sentence_the_others_resemble() -> None:
    # 0 resembles 1, 2 and 3; those resemble only 0 (a little) and 4 resembles nothing
    sim = np.eye(5)
    for j, w in ((1, 0.6), (2, 0.5), (3, 0.4)):
        sim[0, j] = sim[j, 0] = w
    sim[1, 2] = sim[2, 1] = 0.05  # under the edge threshold: ignored
    rank = lexrank(sim, threshold=0.1)
    assert int(np.argmax(rank)) == 0
    assert rank[4] == rank.min()
    assert abs(float(rank.sum()) - 1.0) < 1e-5
    assert lexrank(np.zeros((0, 0))).shape == (0,)
    flat = lexrank(np.eye(3))  # no edges at all: every sentence equal
    assert np.allclose(flat, 1 / 3)


def test_tfidf_keeps_the_story_topic_word() -> None:
    # "flood" is in every sentence: it is the topic, so it must still make sentences similar
    rows = tfidf([["flood", "river"], ["flood", "school"], ["flood", "power"]])
    assert float(rows[0] @ rows[1]) > 0.2
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)


def test_information_grows_with_content_words_but_sublinearly() -> None:
    cands = candidates([Article(id="a", title="", text=(
        "The mayor spoke briefly to reporters today. "
        "The mayor of Riverton announced new flood barriers, two pumping stations and a county relief fund "
        "for the families who lost homes along the river on Tuesday night."))])
    short, long_ = information(cands)
    assert long_ > short
    assert long_ / short < len(cands[1].tokens) / len(cands[0].tokens)


def test_title_candidates_are_complete_headlines_only() -> None:
    articles = (Article(id="a", title="Senate acquits former president - Daily Post", text="x"),
                Article(id="b", title="Breaking", text="y"))
    titles = title_candidates(articles, clean=clean_title)
    assert [(t.text, t.article, t.position) for t in titles] == [("Senate acquits former president", 0, -1)]


def test_options_validate() -> None:
    with pytest.raises(ValueError):
        DigestOptions(max_sentences=1)


# --- with the embedding model -----------------------------------------------------------------------


@pytest.mark.model
def test_seed_digest(embedder: CachedEmbedder) -> None:
    articles = seed_articles()
    story = Story(id="pak-afghan", articles=articles)
    digest = summarize_story(story, embedder)
    by_id = {a.id: a for a in articles}
    assert 2 <= len(digest.summary) <= 4
    assert sum(len(s.text) for s in digest.summary) + len(digest.summary) - 1 <= 600
    assert digest.headline and len(digest.headline) <= 120 and not digest.is_update
    for s in digest.summary:
        assert s.text in by_id[s.sources[0]].text  # copied from its first source: faithful
        assert len(set(s.sources)) == len(s.sources) and set(s.sources) <= set(by_id)
        assert not is_boilerplate(s.text) and is_complete(s.text)
        assert not PRONOUN_START.match(s.text), s.text
        assert quoted_share(s.text) <= 0.5
        assert s.id == sentence_id(s.text)
    # facts several outlets report come first: the summary is better supported than the average sentence
    assert max(len(s.sources) for s in digest.summary) >= 2
    assert len({s.sources[0] for s in digest.summary}) >= 2  # not one article's lead copied


@pytest.mark.model
def test_multi_outlet_fact_beats_a_single_outlet_lead(embedder: CachedEmbedder) -> None:
    shared = "Floodwaters forced {n} thousand residents of Riverton to leave their homes on Tuesday night."
    articles = (
        Article(id="a", title="Riverton flood", text=(
            "A celebrity chef opened a new seafood restaurant on the Riverton waterfront last week. "
            + shared.format(n="two") + " The mayor asked residents to avoid the river bank.")),
        Article(id="b", title="Flood in Riverton", text=(
            "Emergency crews worked through the night in Riverton. " + shared.format(n="two")
            + " Schools will stay closed on Wednesday.")),
        Article(id="c", title="Riverton evacuated", text=(
            "Heavy rain fell for a third day in the region. "
            "About two thousand Riverton residents had to leave their homes because of floodwaters "
            "on Tuesday. Power lines were down across the county.")),
    )
    digest = summarize_story(Story(id="flood", articles=articles), embedder,
                             options=DigestOptions(max_sentences=2))
    top = [s for s in digest.summary if "thousand" in s.text]
    assert top, [s.text for s in digest.summary]
    assert set(top[0].sources) >= {"a", "b"}  # the same text in two outlets supports it
    assert not any("restaurant" in s.text for s in digest.summary)
    assert "flood" in digest.headline.lower()


@pytest.mark.model
def test_headline_without_titles_is_a_short_lead(embedder: CachedEmbedder) -> None:
    articles = (Article(id="x", title="", text="Talks between the two countries resume on Thursday in "
                        "Istanbul. Delegations arrived on Wednesday evening and met the mediators."),
                Article(id="y", title="", text="The two countries will resume talks in Istanbul on Thursday. "
                        "Mediators from Qatar and Turkiye will attend the meeting."))
    digest = summarize_story(Story(id="t", articles=articles), embedder)
    assert digest.headline in {"Talks between the two countries resume on Thursday in Istanbul",
                               "The two countries will resume talks in Istanbul on Thursday"}


@pytest.mark.model
def test_quotes_listed_separately(embedder: CachedEmbedder) -> None:
    quotes = [Quote(id="q1", text="Kabul is not a no-go area.", speaker="Khawaja Asif", sources=("001",)),
              Quote(id="q2", text="Everything hinges on this one clause.", speaker="Khawaja Asif",
                    sources=("001", "002")),
              Quote(id="q3", text="Yes.", speaker=None, sources=("003",))]
    story = Story(id="s", articles=seed_articles())
    digest = summarize_story(story, embedder, quotes=quotes, options=DigestOptions(max_quotes=2))
    assert [q.id for q in digest.quotes] == ["q2", "q1"]  # multi-source first; "Yes." is too short
    none = summarize_story(story, embedder, quotes=quotes, options=DigestOptions(include_quotes=False))
    assert none.quotes == ()


@pytest.mark.model
def test_headlines_stand_in_when_every_text_is_cut_off(embedder: CachedEmbedder) -> None:
    teasers = (
        Article(id="a", title="Senate votes to acquit former president on incitement charge",
                text="The Senate on Saturday voted 57-43 to acquit the former president after the"),
        Article(id="b", title="Seven Republicans join Democrats but conviction falls short in Senate",
                text="Seven Republican senators joined Democrats in voting to convict, falling short of the"),
    )
    digest = summarize_story(Story(id="cut", articles=teasers), embedder)
    assert digest.summary, "a story of cut-off teasers still gets a summary"
    titles = {a.title for a in teasers}
    for s in digest.summary:
        assert s.text in titles and is_complete(s.text + ".") and not s.text.endswith("the")
        assert s.sources[0] == next(a.id for a in teasers if a.title == s.text)
    # with complete sentences in the story, headlines are never used as summary sentences
    full = (*teasers, Article(id="c", title="Trump acquitted", text=(
        "The Senate acquitted the former president on Saturday by a vote of 57 to 43. Seven Republicans "
        "voted with the Democrats, short of the two-thirds majority needed to convict him.")))
    digest = summarize_story(Story(id="full", articles=full), embedder)
    assert digest.summary and not {s.text for s in digest.summary} & {a.title for a in full}


@pytest.mark.model
def test_update_digest_sends_only_new_material(embedder: CachedEmbedder) -> None:
    articles = seed_articles()
    first = summarize_story(Story(id="s", articles=articles[:2]), embedder)
    quotes = [Quote(id="q1", text="We were being attacked. Our territory was being attacked.",
                    speaker="Khawaja Asif", sources=(articles[1].id,))]
    seen = {s.id for s in first.summary}
    update = update_digest(Story(id="s", articles=articles), embedder, seen, {"q1"}, quotes=quotes)
    assert update is not None and update.is_update
    assert not seen & {s.id for s in update.summary}
    assert update.quotes == ()  # the only quote was already sent
    # nothing that merely repeats a sent sentence: new sentences are not near-copies of sent ones
    sent_texts = [s.text for s in first.summary]
    vecs = embedder.embed([*sent_texts, *(s.text for s in update.summary)])
    cross = vecs[len(sent_texts):] @ vecs[: len(sent_texts)].T
    assert float(cross.max()) < 0.8
    assert any(src in {a.id for a in articles[2:]} for s in update.summary for src in s.sources)
    # sending everything there is leaves nothing new
    seen_all = seen | {s.id for s in update.summary}
    for _ in range(12):
        more = update_digest(Story(id="s", articles=articles), embedder, seen_all, {"q1"}, quotes=quotes)
        if more is None:
            break
        seen_all |= {s.id for s in more.summary}
    assert more is None


@pytest.mark.model
def test_update_with_a_new_quote_only(embedder: CachedEmbedder) -> None:
    articles = seed_articles()[:1]
    story = Story(id="s", articles=articles)
    everything: set[str] = set()
    while (more := update_digest(story, embedder, everything, set())) is not None:
        everything |= {s.id for s in more.summary}
    quote = Quote(id="q9", text="Peaceful ties are only possible when support ends.", speaker="Khawaja Asif",
                  sources=(articles[0].id,))
    update = update_digest(story, embedder, everything, set(), quotes=[quote])
    assert update is not None and update.summary == () and update.quotes == (quote,)


@pytest.mark.model
def test_a_fuller_copy_of_a_sent_quote_is_not_sent_again(embedder: CachedEmbedder) -> None:
    from summarizer.quote_merge import merge_quotes
    from summarizer.types import QuoteMention

    def mention(text: str) -> QuoteMention:
        return QuoteMention(text=text, start=0, end=len(text), spans=((0, len(text)),), speaker="Asif",
                            speaker_mention=None)

    articles = seed_articles()
    story = Story(id="s", articles=articles)
    short = "Our territory was being attacked, so we answered"
    (first,) = merge_quotes({articles[0].id: [mention(short)]})
    fuller = "We were warned. Our territory was being attacked, so we answered in kind."
    other = "Peaceful ties are only possible when that support ends."
    later = merge_quotes({articles[0].id: [mention(short)],
                          articles[1].id: [mention(fuller), mention(other)]})
    grown = next(q for q in later if q.text == fuller)
    assert grown.id != first.id and grown.known_as({first.id})  # the id moved with the fuller text
    everything: set[str] = set()
    while (more := update_digest(story, embedder, everything, set())) is not None:
        everything |= {s.id for s in more.summary}
    update = update_digest(story, embedder, everything, {first.id}, quotes=later)
    assert update is not None and [q.text for q in update.quotes] == [other]
    sent = {first.id, *(q.id for q in update.quotes)}
    assert update_digest(story, embedder, everything, sent, quotes=later) is None
