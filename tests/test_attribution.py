"""Speaker attribution: cue patterns, pronouns and nominals, titles, organisations, the seeds."""

from __future__ import annotations

import pytest

from summarizer.attribution import clean_name
from summarizer.quotes import extract_quotes
from tests.conftest import SEEDS


def _speakers(text: str) -> list[tuple[str | None, str | None]]:
    out = []
    for q in extract_quotes(text):
        mention = text[q.speaker_mention[0]:q.speaker_mention[1]] if q.speaker_mention else None
        out.append((q.speaker, mention))
    return out


@pytest.mark.parametrize(("text", "speaker", "mention"), [
    ("“We will not accept this deal at all,” Maria Lopez said.", "Maria Lopez", "Maria Lopez"),
    ("“We will not accept this deal at all,” said Sen. Ted Cruz, R-Texas.", "Ted Cruz", "Sen. Ted Cruz"),
    ("John Smith told reporters: “We will not accept this deal at all.”", "John Smith", "John Smith"),
    ("According to Maria Lopez, “The deal is not good for anyone here.”", "Maria Lopez", "Maria Lopez"),
    ("“The deal is not good for anyone,” Maria Lopez added on Friday.", "Maria Lopez", "Maria Lopez"),
    ("Maria Lopez: “The deal is not good for anyone here.”", "Maria Lopez", "Maria Lopez"),
    ("Maria Lopez rejected the deal, saying, “It is not good for anyone here.”", "Maria Lopez",
     "Maria Lopez"),
    # an age in commas is an apposition like any other
    ("“It is not good for anyone here,” Maria Lopez, 70, told reporters.", "Maria Lopez", "Maria Lopez"),
    # a lowercase description before the name; its own names only qualify it
    ("“The report has our full attention,” said spokesman John Kirby, referring to it.", "John Kirby",
     "spokesman John Kirby"),
    ("“October provided a resurgence for her,” said former Obama adviser David Axelrod.", "David Axelrod",
     "former Obama adviser David Axelrod"),
    ("“She didn’t like that at all,” said a 2008 Clinton veteran.", "2008 Clinton veteran",
     "a 2008 Clinton veteran"),
    # a long apposition between the name and the cue
    ("“Their strategy is very clear to all of us,” Michael McFaul, a senior fellow at the Hoover Institution "
     "and a former United States ambassador to Russia, said of RT.", "Michael McFaul", "Michael McFaul"),
    # reporting verbs beyond "said"
    ("“We are still talking about that guy during an election?” Mr. Burton fumed.", "Burton", "Mr. Burton"),
    ("“I am so ready to work on this with you,” Hillary Clinton emailed her daughter.", "Hillary Clinton",
     "Hillary Clinton"),
    # a roundup's signature line under the quotation
    ("“The whole idea is something that we hear about all the time.”\n\n- Michelle Marks, Philadelphia.",
     "Michelle Marks", "Michelle Marks"),
    # a roundup's "Name, description: “…”"
    ("Windsor Mann, editor of The Quotable Hitchens: “Clinton has convinced more voters than before.”",
     "Windsor Mann", "Windsor Mann"),
])
def test_cue_patterns(text: str, speaker: str, mention: str) -> None:
    assert _speakers(text) == [(speaker, mention)]


def test_pronoun_and_nominal_resolve_to_the_named_speaker() -> None:
    text = ("Finance Minister Maria Lopez spoke on Monday.\n"
            "“Prices will fall by the end of the year,” she said.\n"
            "“We have done everything that we could do,” the minister added.")
    assert _speakers(text) == [("Maria Lopez", "she"), ("Maria Lopez", "the minister")]


def test_interrupted_quote_takes_the_cue_between_its_pieces() -> None:
    text = "Tom Hale arrived late. “We are ready,” he said, “to sign the agreement next week.”"
    assert _speakers(text) == [("Tom Hale", "he")]


def test_a_quote_after_a_finished_attribution_with_its_own_is_a_new_quote() -> None:
    text = ("“He will have to stop the insults,” said Sen. Susan Collins. “He will have to earn the job,” "
            "added Rep. Cathy McMorris Rodgers.")
    assert [s for s, _ in _speakers(text)] == ["Susan Collins", "Cathy McMorris Rodgers"]
    # with no attribution of its own, the next sentence's quote goes on the first one
    text = "“He will have to stop the insults,” said Sen. Susan Collins. “He will have to earn the job.”"
    assert [s for s, _ in _speakers(text)] == ["Susan Collins"]


def test_a_quote_paragraph_right_after_a_quote_goes_on_with_its_speaker() -> None:
    text = ("“We have issues, of course we have issues,” Charles Barkley said. “It is just sad.”\n\n"
            "“Then you have these people who love that, because they are afraid.”\n\n"
            "Barkley, who said he typically votes democratic, likes John Kasich.")
    assert [s for s, _ in _speakers(text)] == ["Charles Barkley", "Charles Barkley"]


def test_documents_and_organisations_speak() -> None:
    text = ("“The talks will resume in Istanbul next week,” read a joint statement.\n"
            "“All parties have agreed to the monitoring plan,” it added.")
    assert _speakers(text) == [("joint statement", "a joint statement"), ("joint statement", "it")]


def test_titles_are_stripped_but_organisations_kept() -> None:
    assert clean_name("Defence Minister Khawaja Asif") == "Khawaja Asif"
    assert clean_name("Pakistan’s Defence Minister Khawaja Muhammad Asif") == "Khawaja Muhammad Asif"
    assert clean_name("Sen. Ted Cruz") == "Ted Cruz"
    assert clean_name("Turkiye’s Foreign Ministry") == "Turkiye’s Foreign Ministry"


# Every quote of four words or more in the seeds, with its speaker (by its last name).
SEED_SPEAKERS = {
    "000_bcb152c977e77790.txt": [("Peaceful ties", "Asif"), ("We have consistently", "Andrabi")],
    "001_790a63dd4dd4b25b.txt": [("everything hinges", "Asif"), ("neither side", "Mujahid"),
                                 ("We were being attacked", "Asif")],
    "002_feb04f1daad33b48.txt": [("If this support", "Asif"), ("A glimmer of hope", "Asif"),
                                 ("The chief minister wants", "Asif"), ("If the chief minister", "Asif"),
                                 ("Pakistan does not belong", "Asif"), ("Their stance", "Asif")],
    "003_de73d476c76ba5d0.txt": [("both countries will meet", "Ministry"),
                                 ("Afghanistan should take", "Asif")],
    "004_7eff734e84c64948.txt": [("Further modalities", "statement"), ("All parties", "statement")],
}


@pytest.mark.parametrize("name", sorted(SEED_SPEAKERS))
def test_seed_quotes_are_attributed(name: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    got = [(q.text, q.speaker) for q in extract_quotes(text)]
    assert len(got) == len(SEED_SPEAKERS[name])
    for (quote, speaker), (start, last) in zip(got, SEED_SPEAKERS[name], strict=True):
        assert quote.startswith(start)
        assert speaker is not None and speaker.split()[-1] == last


def test_a_next_sentence_opening_its_own_quote_does_not_claim_the_previous_one() -> None:
    # one paragraph, as an /ask passage window joins sentences: Asif's cue belongs to his own quote
    text = ("Later, Turkiye’s Foreign Ministry announced a truce, adding that “both countries will meet "
            "again on Nov 6 to discuss the ceasefire.” Talking to reporters today, Asif said that the "
            "“delegation has departed and the negotiations will begin tomorrow morning.”")
    found = {m.text.split()[0]: m.speaker for m in extract_quotes(text)}
    assert found["both"] == "Turkiye’s Foreign Ministry"
