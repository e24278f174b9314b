"""Cross-outlet quote merging: variants fold into the fullest form, paraphrases attach, aliases merge."""

from __future__ import annotations

from summarizer.quote_merge import merge_quotes, quote_id, speaker_aliases
from summarizer.quotes import extract_quotes
from summarizer.types import QuoteMention


def _m(text: str, speaker: str | None) -> QuoteMention:
    return QuoteMention(text=text, start=0, end=len(text), spans=((0, len(text)),), speaker=speaker,
                        speaker_mention=None)


def test_variants_and_fragments_merge_into_the_fullest_form() -> None:
    full = "We were being attacked. Our territory was being attacked. So we just did tit for tat."
    merged = merge_quotes({
        "a1": [_m(full, "Khawaja Muhammad Asif")],
        "a2": [_m("we were being attacked, our territory was being attacked", "Asif")],
        "a3": [_m("WE WERE BEING ATTACKED. OUR TERRITORY WAS BEING ATTACKED. SO WE JUST DID TIT FOR TAT",
                  "Khawaja Asif")],
    })
    assert len(merged) == 1
    (q,) = merged
    assert q.text == full and q.sources == ("a1", "a2", "a3")
    assert q.speaker == "Khawaja Muhammad Asif"
    # every wording folded in is remembered, so a channel sent the fragment knows this quote
    fragment = quote_id("we were being attacked, our territory was being attacked")
    assert fragment in q.merged_ids and q.id not in q.merged_ids
    assert q.known_as({fragment}) and q.known_as({q.id}) and not q.known_as({quote_id("tit for tat")})


def test_distinct_quotes_stay_apart_and_paraphrase_is_attached() -> None:
    merged = merge_quotes({
        "a1": [_m("Peaceful ties with Afghanistan are only possible when all support for the TTP ends",
                  "Asif"),
               _m("The next round of talks will be held in Istanbul on November 6", "Asif")],
        "a2": [_m("Ties with Afghanistan are possible only when support for the TTP completely ends",
                  "Khawaja Asif")],
    })
    assert len(merged) == 2
    ties = next(q for q in merged if "Peaceful" in q.text)
    assert ties.sources == ("a1", "a2") and len(ties.also_reported_as) == 1
    assert ties.speaker == "Khawaja Asif"


def test_same_words_by_another_speaker_are_not_a_paraphrase() -> None:
    merged = merge_quotes({"a1": [_m("Prices will fall sharply by the end of the year", "Maria Lopez")],
                           "a2": [_m("Prices will rise sharply by the end of the year", "John Smith")]})
    assert len(merged) == 2


def test_aliases_pick_the_fullest_form_and_skip_ambiguous_short_names() -> None:
    alias = speaker_aliases(["Khawaja Muhammad Asif", "Khawaja Asif", "Asif", "Ali Khan", "Imran Khan",
                             "Khan"])
    assert alias["Asif"] == alias["Khawaja Asif"] == "Khawaja Muhammad Asif"
    assert alias["Khan"] == "Khan"  # two Khans: do not guess


def test_id_is_stable_across_marks_case_and_punctuation() -> None:
    assert quote_id("“We will win,” he said") == quote_id('"we will WIN" he said')
    assert quote_id("We will win") != quote_id("We will lose")


def test_seed_articles_merge_end_to_end() -> None:
    from tests.conftest import SEEDS

    mentions = {p.stem: extract_quotes(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    merged = merge_quotes(mentions)
    assert sum(len(v) for v in mentions.values()) >= len(merged) > 0
    speakers = {q.speaker for q in merged}
    assert "Khawaja Muhammad Asif" in speakers and "Asif" not in speakers and "Khawaja Asif" not in speakers
    assert len({q.id for q in merged}) == len(merged)
