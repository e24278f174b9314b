"""/ask answers over real retrieval (in-memory hybrid index, real embedding model)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from ask_coverage import COVERAGE, SUMMIT

from summarizer.answers import (
    REFUSAL,
    AnswerOptions,
    answer_question,
    build_answer,
    signals,
)
from summarizer.descriptions import asked_acronym, asked_of, asked_person, asked_title, describe, expand
from summarizer.passages import Passage, make_passages, passage_vectors
from summarizer.questions import question_focus
from summarizer.retrieval import Hit, MemoryIndex, rrf
from summarizer.spellings import full_dates


@pytest.fixture(scope="module")
def index(embedder):
    passages = [p for a in COVERAGE for p in make_passages(a)]
    return MemoryIndex(passages, passage_vectors(passages, embedder))


def ask(index, embedder, question, **kw):
    hits = index.search(question, embedder.embed([question])[0], **kw)
    return build_answer(question, hits)


def _said(article: str, text: str, dense: float = 0.8, index: int = 0) -> Hit:
    """One article's one-sentence passage, as retrieved."""
    p = Passage(id=f"{article}#{index}", article_id=article, index=index, sentences=(text,), outlet=article)
    return Hit(passage=p, score=1.0, lexical=3.0, dense=dense)


_ASIF_SAID = "Pakistan’s Defence Minister Khawaja Asif said the truce holds."


def _window(*sentences: str) -> list[Hit]:
    """One article's passage of several sentences, as retrieved."""
    p = Passage(id="a#0", article_id="a", index=0, outlet="a", sentences=sentences)
    return [Hit(passage=p, score=1.0, lexical=3.0, dense=0.6)]


def test_rrf_rewards_agreement() -> None:
    fused = rrf([[1, 2, 3], [3, 1, 4]])
    assert max(fused, key=lambda i: fused[i]) == 1
    assert fused[3] > fused[2] and fused[3] > fused[4]


@pytest.mark.model
def test_when_and_where_answer_with_citation(index, embedder) -> None:
    g = ask(index, embedder, "When will Erdogan host the grain corridor talks?")
    assert g.answered and g.qtype == "when"
    assert "November 6" in g.short
    assert g.citations[0].article_id == "summit-1"
    assert g.citations[0].outlet == "BBC" and g.citations[0].url == SUMMIT.url
    assert "November 6" in g.citations[0].snippet
    assert "November 6" in g.support[0]  # the supporting sentence is the one holding the span
    where = ask(index, embedder, "Where will the grain corridor talks be held?")
    assert where.answered and "Istanbul" in where.short


@pytest.mark.model
def test_who_answer(index, embedder) -> None:
    g = ask(index, embedder, "Who scored twice for Arsenal against Chelsea?")
    assert g.answered and "Odegaard" in g.short
    answer = answer_question(g.question, index.search(g.question, embedder.embed([g.question])[0]))
    assert answer.answered and answer.answer.startswith(g.short)
    assert "[1]" in answer.answer and answer.citations[0].article_id == "league-1"


@pytest.mark.model
def test_off_topic_question_is_refused(index, embedder) -> None:
    for question in ("What is the interest rate set by the Federal Reserve?",
                     "Who won the Nobel Prize in chemistry?"):
        answer = answer_question(question, index.search(question, embedder.embed([question])[0]))
        assert not answer.answered
        assert answer.answer == REFUSAL and answer.citations == ()


def test_no_hits_is_refused() -> None:
    assert answer_question("Who won?", []).answer == REFUSAL


@pytest.mark.model
def test_sources_disagree_on_the_toll(index, embedder) -> None:
    g = ask(index, embedder, "How many people were killed in the earthquake in Izmir?",
            scope={"quake-reuters", "quake-ap"})
    assert g.answered and g.disagreement
    assert "14" in g.short and "17" in g.short
    assert "Reuters" in g.short and "AP" in g.short
    assert {c.article_id for c in g.citations[:2]} == {"quake-reuters", "quake-ap"}


@pytest.mark.model
def test_story_is_searched_first(index, embedder) -> None:
    question = "What did officials say?"
    vec = embedder.embed([question])[0]
    hits = index.search(question, vec, story_article_ids={"summit-1"})
    assert hits[0].in_story and hits[0].passage.article_id == "summit-1"
    assert any(not h.in_story for h in hits)
    # without the story, the summit is not the first hit for this question
    plain = index.search(question, vec)
    assert [h.passage.article_id for h in plain][:1] != ["summit-1"] or not plain[0].in_story


@pytest.mark.model
def test_quote_question_answers_with_the_speakers_quote(index, embedder) -> None:
    g = ask(index, embedder, "What did Erdogan say about the grain deal?")
    assert g.answered and g.qtype == "quote"
    assert "We will not let the grain deal collapse" in g.short


def test_scope_restricts_search() -> None:
    passages = [p for a in COVERAGE for p in make_passages(a)]
    idx = MemoryIndex(passages, np.eye(len(passages), 8, dtype=np.float32))
    hits = idx.search("earthquake Izmir killed", None, scope={"league-1"}, mode="bm25")
    assert all(h.passage.article_id == "league-1" for h in hits)


def _hit(article: str, index: int, dense: float, lexical: float, text: str = "Some words here.") -> Hit:
    p = Passage(id=f"{article}#{index}", article_id=article, index=index, sentences=(text,))
    return Hit(passage=p, score=dense + lexical, lexical=lexical, dense=dense)


def test_signals_reward_retriever_agreement_and_a_standout_match() -> None:
    agree = [_hit(f"a{i}", 0, 0.8 - 0.05 * i, 10.0 - i) for i in range(10)]
    disagree = ([_hit(f"d{i}", 0, 0.8 - 0.05 * i, 0.0) for i in range(10)]
                + [_hit(f"l{i}", 0, 0.1, 10.0 - i) for i in range(10)])
    s_agree, s_dis = signals(agree, []), signals(disagree, [])
    assert s_agree.agreement == 1.0 and s_agree.same_top == 1.0
    assert s_dis.agreement == 0.0 and s_dis.same_top == 0.0
    flat = signals([_hit(f"f{i}", 0, 0.5, 1.0) for i in range(10)], [])
    assert flat.dense_gap == pytest.approx(0.0) and s_agree.dense_gap > 0.1
    options = AnswerOptions()
    # (no evidence was given, so no passage covers the predicate: that alone would refuse both)
    covered = [replace(s, predicate=1.0) for s in (s_agree, s_dis)]
    assert s_agree.confidence(options) == 0.0
    assert covered[0].confidence(options) > covered[1].confidence(options)


def test_what_an_organisation_said_is_what_its_spokesperson_said() -> None:
    hits = [_said("a", "The Foreign Office summoned the envoy on Monday.", 0.7),
            _said("b", "“We expect the agreement to hold,” Foreign Office spokesperson Tahir Andrabi "
                     "said.", 0.5)]
    g = build_answer("What did the Foreign Office say?", hits)
    assert g.answered and g.quoted
    assert g.short == "Foreign Office spokesperson Tahir Andrabi said: “We expect the agreement to hold”"
    assert [c.article_id for c in g.citations] == ["b"]
    # the organisation's own words, when quoted, come before any spokesperson's
    own = _said("c", "“The envoy was summoned,” the Foreign Office said in a statement.", 0.4)
    assert build_answer("What did the Foreign Office say?", [*hits, own]).short.startswith(
        "Foreign Office said: “The envoy was summoned”")


def test_what_someone_said_about_something_their_quotes_never_mention() -> None:
    """"What did Asif say about Istanbul?" when none of his quotations mentions Istanbul: what the
    coverage reports him saying of it; about what a quotation speaks of, the quotation."""
    confirmed = "Defence Minister Khawaja Asif on Wednesday confirmed that the delegation left for Istanbul."
    hits = _window("“Everything hinges on this one clause,” Asif said of the truce.", confirmed,
                   "Kabul was not consulted, officials said.")
    g = build_answer("What did Asif say about Istanbul?", hits)
    assert g.answered and g.short == confirmed
    assert build_answer("What did Asif say about the truce?", hits).short == (
        "Asif said: “Everything hinges on this one clause”")


def test_what_a_country_said_unquoted_is_what_it_is_reported_saying() -> None:
    """"What did Afghanistan say?" with none of its words quoted: the sentence reporting it speaking,
    not one that only mentions it ("... relations with Afghanistan", "the role of Afghanistan, saying")."""
    hits = [_said("a", "Asif said relations with Afghanistan cannot return to normal.", 0.8),
            _said("b", "He praised the role of Afghanistan, saying talks went well.", 0.7),
            _said("c", "Afghanistan, however, rejected the suggestion of complicity.", 0.5)]
    g = build_answer("What did Afghanistan say?", hits)
    assert g.answered and g.short == "Afghanistan, however, rejected the suggestion of complicity."
    assert [c.article_id for c in g.citations] == ["c"]
    assert not build_answer("What did Afghanistan say?", hits[:2]).quoted  # nothing reports it speaking
    listed = [_said("d", "Talks between Afghanistan, Italy said, went on.", 0.9)]
    assert not build_answer("What did Afghanistan say?", listed).quoted  # Italy spoke, not Afghanistan


def test_a_spokesman_asked_with_more_of_his_title_is_found() -> None:
    """"What did the Afghan Taliban spokesman say?" finds "Taliban spokesman Zabihullah Mujahid" when
    the coverage tells of Afghanistan; "the US defence minister" is not Pakistan's, and coverage that
    never names the US is refused."""
    hits = _window("Afghanistan rejected the claim.", _ASIF_SAID,
                   "“Neither side will attack the other,” Taliban spokesman Zabihullah Mujahid said.")
    g = build_answer("What did the Afghan Taliban spokesman say?", hits)
    assert g.quoted
    assert g.short == "Taliban spokesman Zabihullah Mujahid said: “Neither side will attack the other”"
    assert not build_answer("What did the US defence minister say?", hits).answered


def test_who_holds_an_asked_title() -> None:
    """"Who is the Afghan spokesman?": whom the coverage titles so, "Taliban spokesman Zabihullah
    Mujahid" (its "Afghan" told by "Afghanistan"); "the US defence minister" is not Pakistan's."""
    hits = _window("The Afghan Taliban rejected the claim.", _ASIF_SAID,
                   "Taliban spokesman Zabihullah Mujahid said both sides would refrain from attacks.")
    g = build_answer("Who is the Afghan spokesman?", hits)
    assert g.described and g.short == "Taliban spokesman Zabihullah Mujahid"
    assert build_answer("who is the defence minister", hits).short == (
        "Pakistan’s Defence Minister Khawaja Asif")
    assert asked_title("Who is the prime minister of India?") is None  # the X of Y: asked_of's
    assert not build_answer("Who is the US defence minister?", hits).answered


def test_a_quoted_common_noun_keeps_its_article() -> None:
    """"What did the joint statement say?": "The joint statement said: …", not "joint statement said"."""
    g = build_answer("What did the joint statement say?",
                     _window("“Talks will resume in Istanbul,” read a joint statement on the talks."))
    assert g.quoted and g.short == "The joint statement said: “Talks will resume in Istanbul”"


def test_citations_prefer_other_articles_before_neighbouring_passages() -> None:
    q = "How many people were killed in the Izmir earthquake?"
    texts = ["At least 14 people were killed in the Izmir earthquake, officials said.",
             "Rescuers said 14 people were killed in the Izmir earthquake overnight.",
             "The Izmir earthquake killed 14 people, the governor told reporters on Sunday.",
             "Fourteen people were killed in the Izmir earthquake, Turkish media reported."]
    hits = [_hit("a", 0, 0.9, 9.0, texts[0]), _hit("a", 1, 0.85, 8.0, texts[1]),
            _hit("a", 3, 0.8, 7.0, texts[2]), _hit("b", 0, 0.75, 6.0, texts[3])]
    g = build_answer(q, hits, AnswerOptions(threshold=-1.0))
    assert [c.article_id for c in g.citations] == ["a", "b", "a"]
    assert g.citations[2].snippet == texts[2]  # the third is a#3, not the neighbouring a#1


def test_a_citation_repeating_a_cited_window_is_skipped() -> None:
    q = "How many people were killed in the Izmir earthquake?"
    wire = "At least 14 people were killed in the Izmir earthquake, officials said on Sunday."
    hits = [_hit("a", 0, 0.9, 9.0, wire), _hit("b", 0, 0.85, 8.0, "Update: " + wire),
            _hit("c", 0, 0.8, 7.0, "Rescuers in Izmir searched collapsed buildings; 14 were killed.")]
    g = build_answer(q, hits, AnswerOptions(threshold=-1.0))
    assert [c.article_id for c in g.citations] == ["a", "c"]  # b is the same wire copy as a
    every = build_answer(q, hits, AnswerOptions(threshold=-1.0, repeat=1.0))
    assert [c.article_id for c in every.citations] == ["a", "b", "c"]


def test_question_about_an_unmentioned_attribute_is_refused() -> None:
    said = "Kabul said the ceasefire with Pakistan would hold."
    hits = [_hit("kabul", i, 0.6, 5.0, said) for i in range(3)]
    g = build_answer("What is the population of Kabul?", hits)
    assert not g.answered and g.confidence == 0.0
    assert signals(hits, g.evidence).predicate == 0.0
    asked = build_answer("What did Kabul say about the ceasefire?", hits, AnswerOptions(threshold=-1.0))
    assert signals(hits, asked.evidence).predicate > 0.0


def test_evidence_prefers_the_passage_holding_the_asked_type() -> None:
    q = "How many people were killed in the earthquake?"
    vague = _hit("a", 0, 0.6, 9.0, "The earthquake killed people and damaged homes across the region.")
    counted = _hit("b", 0, 0.6, 3.0, "At least 14 people were killed in the earthquake, officials said.")
    g = build_answer(q, [vague, counted], AnswerOptions(threshold=-1.0))
    assert g.evidence[0].hit.passage.article_id == "b" and g.short.startswith("14")


def test_an_article_votes_once_for_an_answer_however_often_it_names_it() -> None:
    def hit(article: str, idx: int, text: str) -> Hit:
        p = Passage(id=f"{article}#{idx}", article_id=article, index=idx, sentences=(text,), outlet=article)
        return Hit(passage=p, score=1.0, lexical=5.0, dense=0.7)

    hits = [hit("a", 0, "The talks were hosted by Qatar, officials said."),
            hit("b", 0, "Pakistan joined the talks hosted in the Gulf."),
            hit("b", 3, "Pakistan said the talks hosted there went well."),
            hit("b", 6, "Pakistan hosted no talks but joined the hosted talks.")]
    g = build_answer("Which country hosted the talks?", hits, AnswerOptions(threshold=-1.0))
    assert g.short == "Qatar"  # the party named in every paragraph of one report is not three reports


def test_who_said_it_is_the_quotations_speaker_though_the_sentence_says_he() -> None:
    """"Who said ...?" is answered by the speaker the quote extractor resolves "he" to, named as fully
    as the passage names them, and a sentence reporting speech by "he" is theirs too."""
    hits = _window("Defence Minister Khawaja Asif spoke to reporters in Islamabad on Friday.",
                   "“Peace needs guarantees,” Asif said.",
                   "“Pakistan does not belong to one person,” he added.",
                   "He also confirmed that the border crossing had reopened.")
    opts = AnswerOptions(threshold=-1.0)
    assert build_answer("Who said Pakistan does not belong to one person?", hits, opts).short \
        == "Defence Minister Khawaja Asif"
    assert build_answer("Which official confirmed the border crossing had reopened?", hits, opts).short \
        == "Defence Minister Khawaja Asif"


def test_one_persons_votes_are_not_split_by_how_fully_reports_name_them() -> None:
    hits = [_said("a", "Talks resumed, Asif said."), _said("b", "Talks resumed, Asif said on Friday."),
            _said("c", "Talks resumed, Khawaja Asif said."), _said("d", "Talks resumed, Tahir Andrabi said."),
            _said("e", "Talks resumed, Tahir Andrabi said on Friday.")]
    g = build_answer("Who said the talks resumed?", hits, AnswerOptions(threshold=-1.0))
    assert g.short == "Khawaja Asif"  # three reports, one naming him fully, against two


def test_a_person_is_named_as_fully_as_any_considered_passage_names_them() -> None:
    hits = [_said("a", "Aged 81, Stewart is the oldest person on the cover of the magazine.", dense=0.9),
            _said("b", "The magazine's editors chose Stewart for the cover.", dense=0.9),
            _said("c", "Martha Stewart has written many cookbooks over the decades.", dense=0.2)]
    g = build_answer("Who is the oldest person on the magazine's cover?", hits, AnswerOptions(threshold=-1.0))
    assert g.short == "Martha Stewart"


def test_a_common_thing_asked_for_is_answered_by_the_sentence_telling_it() -> None:
    """"Which animal", "which type of product": the coverage names it with common nouns ("red
    squirrels"), so the answer is the sentence, not a capitalised name beside it ("North Wales")."""
    said = "A killer pox has killed up to 80% of red squirrels in one winter at sites in North Wales."
    hits = [_said("a", said), _said("b", "Volunteers in North Wales are trapping grey squirrels.", dense=0.5)]
    g = build_answer("Which animal is facing extinction in Wales due to a virus?", hits,
                     AnswerOptions(threshold=-1.0))
    assert g.short == said
    assert question_focus("Which invasive species has been eradicated?") == "specy"  # as tokenized
    assert question_focus("Which type of product was recalled?") == "type"


def test_a_bare_quote_question_leads_with_the_articles_main_statements() -> None:
    def said(index: int, dense: float, text: str) -> Hit:
        p = Passage(id=f"a#{index}", article_id="a", index=index, sentences=(text,))
        return Hit(passage=p, score=1.0, lexical=3.0, dense=dense)

    main = said(0, 0.55, "“Peace is only possible when the attacks end,” Asif said on Friday.")
    side = said(6, 0.70, "“The chief minister cannot take directions from outside,” Asif said.")
    g = build_answer("What did Asif say?", [side, main], AnswerOptions(threshold=-1.0))
    assert g.evidence[0].hit.passage.index == 6  # the side remark matches a little better ...
    assert g.short == "Asif said: “Peace is only possible when the attacks end”"  # ... the lead wins
    far = said(6, 0.95, "“The chief minister cannot take directions from outside,” Asif said.")
    bare = build_answer("What did Asif say?", [far, main], AnswerOptions(threshold=-1.0))
    assert "Peace" in bare.short  # nothing asked about: the match with "what did Asif say" counts for nothing
    asked = build_answer("What did Asif say about directions?", [far, main], AnswerOptions(threshold=-1.0))
    assert "chief minister" in asked.short  # a question about something takes the passage about it


def test_a_quote_question_about_a_name_takes_the_quotation_that_speaks_of_it() -> None:
    def said(index: int, text: str) -> Hit:
        p = Passage(id=f"a#{index}", article_id="a", index=index, sentences=(text,))
        return Hit(passage=p, score=1.0, lexical=3.0, dense=0.6)

    lead = said(0, "“Everything hinges on this one clause,” Asif said on Friday.")
    later = said(5, "“We were being attacked on our own soil,” Asif said. "
                    "“Kabul is not a no-go area,” he added.")
    options = AnswerOptions(threshold=-1.0)
    assert "Kabul" in build_answer("What did Asif say about Kabul?", [lead, later], options).short
    assert "clause" in build_answer("What did Asif say?", [lead, later], options).short
    # within one passage, the quotation about the name comes first
    assert build_answer("What did Asif say about Kabul?", [later], options).short == (
        "Asif said: “Kabul is not a no-go area” … “We were being attacked on our own soil”")


def test_a_quote_question_about_someone_the_coverage_never_names_is_refused() -> None:
    def hit(idx: int, text: str) -> Hit:
        p = Passage(id=f"a#{idx}", article_id="a", index=idx, sentences=(text,))
        return Hit(passage=p, score=1.0, lexical=3.0, dense=0.8)

    hits = [hit(0, "Asif said the ceasefire would hold."), hit(1, "“We will talk again,” Asif said.")]
    assert not build_answer("What did Biden say?", hits, AnswerOptions(threshold=-1.0)).answered
    assert build_answer("What did Asif say?", hits, AnswerOptions(threshold=-1.0)).quoted
    # a speaker described, not named, may be answered from what the coverage reports
    assert build_answer("What did the defence minister say?", hits, AnswerOptions(threshold=-1.0)).answered


def test_who_is_a_named_person_answers_with_the_title_the_coverage_gives() -> None:
    assert asked_person("Who is Tahir Andrabi?") == "Tahir Andrabi"
    assert asked_person("Who is the North Korean leader?") is None  # a description, asking for a name
    assert describe("Foreign Office spokesperson Tahir Andrabi said on Friday.", "Andrabi") == (
        "Foreign Office spokesperson Tahir Andrabi")
    assert describe("Tahir Andrabi, the Foreign Office spokesperson, said on Friday.", "Tahir Andrabi") == (
        "Tahir Andrabi, the Foreign Office spokesperson")
    assert describe("Speaking on Friday, Tahir Andrabi urged calm.", "Tahir Andrabi") is None

    hits = [_said("a", "Andrabi said Pakistan wants peace with its neighbours.", 0.8),
            _said("b", "Foreign Office spokesperson Tahir Andrabi said the talks went well.", 0.5),
            _said("c", "The talks in Istanbul ended on Thursday.", 0.4)]
    g = build_answer("Who is Andrabi?", hits)  # the shipped threshold: a stated title answers
    assert g.answered and g.short == "Foreign Office spokesperson Tahir Andrabi"
    assert g.support[0] == "Foreign Office spokesperson Tahir Andrabi said the talks went well."
    assert [c.article_id for c in g.citations] == ["b", "a"]  # only passages that name him
    assert not build_answer("Who is Biden?", hits, AnswerOptions(threshold=-1.0)).answered


def test_what_is_an_acronym_answers_with_the_name_the_coverage_spells_out() -> None:
    assert asked_acronym("What is the TTP?") == "TTP"
    assert asked_acronym("What does NATO stand for?") == "NATO"
    assert asked_acronym("What are NGOs?") == "NGO"
    assert asked_acronym("What is the GDP of Pakistan?") is None  # asks about the GDP, not what it is
    assert asked_acronym("What is the capital of France?") is None
    assert expand("Asif urged the Taliban to stop backing the banned Tehreek-e-Taliban Pakistan (TTP).",
                  "TTP") == "Tehreek-e-Taliban Pakistan (TTP)"
    assert expand("Officials of the IMF (International Monetary Fund) arrived.", "IMF") == (
        "International Monetary Fund (IMF)")
    assert expand("The talks (TTP) were held.", "TTP") is None  # no name before the brackets
    assert expand("He said the TTP (which is banned) attacked.", "TTP") is None  # a remark, not a name

    hits = [_said("a", "The TTP claimed the attack on the checkpoint, officials said.", 0.7),
            _said("b", "Talks on the ceasefire resumed under Turkish mediation.", 0.6),
            _said("c", "Pakistan says the Tehreek-e-Taliban Pakistan (TTP) operates from Afghan soil.",
                  0.3, 5)]
    g = build_answer("What is the TTP?", hits)
    assert g.answered and g.described and g.short == "Tehreek-e-Taliban Pakistan (TTP)"
    assert [c.article_id for c in g.citations] == ["c", "a"]  # passages that name it, the spelling first
    # coverage that never names it cannot say what it is ("UN" is not in "under")
    assert not build_answer("What is the UN?", hits, AnswerOptions(threshold=-1.0)).answered
    # typed in lower case, as chat users do: read with the capitals the coverage writes
    assert build_answer("what is ttp", hits).short == "Tehreek-e-Taliban Pakistan (TTP)"
    # and with "is" run into the question word, as chat users type it too
    assert build_answer("whats ttp", hits).short == build_answer("what's TTP?", hits).short == (
        "Tehreek-e-Taliban Pakistan (TTP)")


def test_a_role_or_attribute_of_a_name_the_coverage_never_names_is_refused() -> None:
    assert asked_of("Who is the prime minister of India?") == ("India",)
    assert asked_of("What is the GDP of Pakistan?") == ("GDP", "Pakistan")
    assert asked_of("Who is the vice chairman of the Central Committee?") == ("Central Committee",)
    assert asked_of("What is the name of the storm?") == ()  # no name to hang on
    assert asked_of("Who is Tahir Andrabi?") == ()  # asked_person's

    hits = [_said("a", "Asif stressed that the KP chief minister should play his role in national matters."),
            _said("b", "Pakistan accuses the TTP of receiving Indian support, the prime minister said.")]
    always = AnswerOptions(threshold=-1.0)
    # "Indian" is not "India", and Pakistan's GDP is never given: whatever the rest matches, refused
    assert not build_answer("Who is the prime minister of India?", hits, always).answered
    assert not build_answer("What is the GDP of Pakistan?", hits, always).answered
    assert build_answer("Who is the prime minister of Pakistan?", hits, always).answered


def test_a_why_question_takes_the_sentence_that_gives_a_cause() -> None:
    window = ("The talks between the two countries resumed in Istanbul on Monday.",
              "Concerns about cross-border attacks remained, which led to the failure of the talks.")
    p = Passage(id="a#0", article_id="a", index=0, sentences=window, outlet="Dawn")
    hits = [Hit(passage=p, score=1.0, lexical=3.0, dense=0.6)]
    g = build_answer("Why did the talks fail?", hits, AnswerOptions(threshold=-1.0))
    assert g.short == window[1]
    # without "why" the first sentence matching as well still leads
    assert build_answer("What about the talks?", hits, AnswerOptions(threshold=-1.0)).short == window[0]


def test_a_passage_naming_the_asked_day_leads() -> None:
    """"What happened on October 29?": the report of that day, though another matches the words better."""
    hits = [_said("a", "The tensions began on the night of October 11, when militants attacked.", dense=0.5),
            _said("b", "On Oct. 29, Pakistan announced the end of talks.", dense=0.35)]
    g = build_answer("What happened on October 29?", hits, AnswerOptions(threshold=0.0))
    assert g.short == "On Oct. 29, Pakistan announced the end of talks."
    assert full_dates("What happened on October 29 and 6 November?") == {"10-29", "11-06"}
    assert build_answer("What happened on October 11?", hits, AnswerOptions(threshold=0.0)).short.startswith(
        "The tensions")


def test_who_holds_a_title_is_not_a_name_before_it() -> None:
    """No one is titled chief minister by name: "KP" (in "the KP chief minister") is not the answer."""
    hits = _window("Asif stressed that the KP chief minister should play his role in national matters.",
                   "The chief minister wants to take directions from someone sitting inside, Asif said.")
    g = build_answer("Who is the chief minister?", hits, AnswerOptions(threshold=0.0))
    assert g.answered and g.short != "KP" and "KP chief minister" in g.citations[0].snippet
    named = _window("Ali Amin Gandapur, the KP chief minister, spoke in Peshawar on Friday.")
    assert build_answer("Who is the chief minister?", named, AnswerOptions(threshold=0.0)).short == (
        "Ali Amin Gandapur")


def test_two_dates_differ_only_when_both_tell_of_the_asked_event() -> None:
    """A date of the talks in an article about the airstrikes is no other version of the strikes' date."""
    strikes = _said("a", "Pakistan launched airstrikes on Afghan territory on October 9, officials said.")
    talks = Passage(id="b#0", article_id="b", index=0, outlet="b", title="Pakistan launched airstrikes",
                    sentences=("Pakistan and Afghanistan agreed a truce on October 19.",))
    hits = [strikes, Hit(passage=talks, score=1.0, lexical=3.0, dense=0.8)]
    g = build_answer("When did Pakistan launch airstrikes?", hits, AnswerOptions(threshold=0.0))
    assert not g.disagreement and g.short == "October 9"
    relative = _window("Tensions rose after Pakistan launched airstrikes on Afghan soil earlier this month.")
    g = build_answer("When did Pakistan launch airstrikes?", relative, AnswerOptions(threshold=0.0))
    assert g.short == "earlier this month"  # what the coverage says when it gives no date


def test_who_is_a_name_the_coverage_does_not_describe() -> None:
    """No title or apposition for it: the sentence about it, not another name of that sentence."""
    said = ("“We have provided evidence of groups such as Fitna al-Khawarij and Fitna al-Hindustan within "
            "Afghanistan,” Andrabi said.")
    assert asked_person("Who is Fitna al-Hindustan?") == "Fitna al-Hindustan"
    assert asked_person("Who is Ursula von der Leyen?") == "Ursula von der Leyen"
    g = build_answer("Who is Fitna al-Hindustan?", _window(said), AnswerOptions(threshold=0.0))
    assert g.answered and g.short == said


def test_an_answer_is_spelled_as_most_reports_spell_it() -> None:
    hits = [_said("a", "The truce was brokered through the mediation of Qatar and Türkiye.", dense=0.8),
            _said("b", "The truce was brokered through the mediation of Turkiye and Qatar.", dense=0.7),
            _said("c", "Talks mediated by Turkiye and Qatar ended the clashes.", dense=0.7)]
    g = build_answer("Who mediated the truce?", hits, AnswerOptions(threshold=0.0))
    assert g.short == "Turkiye and Qatar"  # not the best passage's "Qatar and Türkiye"
    ranged = [_said("a", "The talks were held in Istanbul between October 25 and 30.", dense=0.8),
              _said("b", "The talks in Istanbul started on October 25.", dense=0.7),
              _said("c", "Talks in Istanbul began on October 25.", dense=0.7)]
    g = build_answer("When were the Istanbul talks held?", ranged, AnswerOptions(threshold=0.0))
    assert g.short == "between October 25 and 30"  # a date as the best passage writes it
