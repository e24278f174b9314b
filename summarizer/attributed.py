"""Answers decided by what the coverage attributes to the asked person or thing, outside /ask's
confidence model: "what did X say" (X's quotations, or those of whoever speaks for X), "who is X"
(the title the coverage gives X) and "what is the TTP" (the name the coverage spells out). X's
quotations come from the shared quote extractor and speaker attribution (`quotes_by`, `quotes_for`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from summarizer.attribution import clean_name
from summarizer.descriptions import describe, holder
from summarizer.evidence import Evidence, Question
from summarizer.places import is_country
from summarizer.questions import mentions, question_entities, root
from summarizer.quote_merge import speaker_aliases
from summarizer.quotes import CUE_WORDS, extract_quotes
from summarizer.retrieval import token_set, tokenize
from summarizer.spellings import span_key

QUOTE_TIE = 0.9  # quoting passages within this share of the best evidence score count as equal


def named_in(ev: Evidence, name: str) -> bool:
    """The passage names `name` (its last word, as a word of its own: "UN" is not in "under", nor
    "India" in "Indian"; an acronym in capitals: "US" is not "us"). A nationality counts as named by
    its country: "Afghan" by "Afghanistan"."""
    last, window = name.split()[-1], ev.hit.passage.window
    if last.isupper():
        return re.search(rf"\b{re.escape(last)}s?\b", window) is not None
    words = token_set(window)
    asked = tokenize(last)
    return set(asked) <= words or (len(asked) == 1 and not is_country(last) and any(
        w.startswith(asked[0]) and is_country(w) for w in words))


@dataclass(frozen=True)
class Attributed:
    """An answer decided outside the confidence model, from what the coverage attributes to the asked
    person or thing: their quotations ("what did X say"), the title it gives them ("who is X") or
    the name it spells out ("what is the TTP")."""

    short: str
    support: tuple[Evidence, ...]  # the passages it comes from, the first the best
    sentences: tuple[str, ...]  # each one's sentence that says it
    quoted: bool  # quotations (else a description)
    more_from: tuple[Evidence, ...] = ()  # where further citations may come from


def _quoting(ranked: Sequence[Evidence], speaker: str) -> list[tuple[Evidence, str, list[str]]]:
    """The passages that quote `speaker`, each with who spoke and the quotations: X's own words when
    any passage quotes X; otherwise, for an organisation or a country ("the Foreign Office", "the
    Taliban"), the words of the person a passage describes as speaking for it (`quotes_for`)."""
    mentioned = [ev for ev in ranked if named_in(ev, speaker)]
    direct = [(ev, *said) for ev in mentioned if (said := quotes_by(ev.hit.passage.window, speaker))]
    return direct or [(ev, *said) for ev in mentioned
                       if (said := quotes_for(ev.hit.passage.window_sentences, speaker))]


def quote_answer(question: Question, speaker: str, ranked: Sequence[Evidence],
                 limit: int) -> Attributed | None:
    """'What did X say': X's quotations (see `summarizer.quotes`; for an organisation, those of whoever
    speaks for it, `_quoting`) from the passage that quotes X most to the point, named as the coverage
    names the speaker. The support is the passages that quote X (up to `limit`, one per article),
    each with the sentence holding its first quotation, and nothing else."""
    quoting = _quoting(ranked, speaker)
    if not quoting:
        return None
    # news leads with the main statement, later paragraphs add side remarks: a bare "what did X say"
    # (nothing asked about) takes the quotes nearest their articles' tops, whatever the passages'
    # match with the question's few words; otherwise, of passages that quote X about equally well,
    # the one nearest its article's top leads
    if not question.predicate:
        quoting.sort(key=lambda said: said[0].hit.passage.index)
    else:
        close = [said for said in quoting if said[0].score >= QUOTE_TIE * quoting[0][0].score]
        lead = min(close, key=lambda said: said[0].hit.passage.index)
        quoting = [lead, *(said for said in quoting if said is not lead)]
    # "what did Asif say about Kabul": quotations that speak of it lead, in that order (a stable sort);
    # when no sentence quoting him does, what the coverage reports him saying of it ("Asif confirmed
    # that the delegation has left for Istanbul")
    about = _about(question, speaker)
    if about and not any(mentions(s, about) for ev, _, found in quoting for q in found
                         for s in _holding(ev, q)):
        reported = reported_answer(speaker, ranked, limit, about=about)
        if reported is not None:
            return reported
    if about:
        quoting = [(ev, who, sorted(found, key=lambda q: not mentions(q, about)))
                   for ev, who, found in quoting]
        quoting.sort(key=lambda said: not mentions(said[2][0], about))
    chosen: list[tuple[Evidence, list[str]]] = []
    for ev, _, found in quoting:  # one passage per article: a neighbouring window repeats its quotes
        cited = {e.hit.passage.article_id for e, _ in chosen}
        if len(chosen) < limit and ev.hit.passage.article_id not in cited:
            chosen.append((ev, found))
    sentences = [next(iter(_holding(ev, found[0])), ev.sentence) for ev, found in chosen]
    # a quotation cut before its attribution keeps the comma that led into it ("…completely," he said)
    _, who, lead_quotes = quoting[0]
    who = who if who[:1].isupper() else f"The {who}"  # "the joint statement said": a common noun's article
    short = f"{who} said: " + " … ".join(f"“{q.rstrip(' ,;:')}”" for q in lead_quotes[:2])
    return Attributed(short, tuple(ev for ev, _ in chosen), tuple(sentences), quoted=True)


def _holding(ev: Evidence, quotation: str) -> list[str]:
    """The sentences of the passage's window that hold `quotation` (its opening words: a quotation
    split by its attribution runs on past them)."""
    return [s for s in ev.hit.passage.window_sentences if quotation[:40] in s]


# what a speaker does in words besides the verbs that attribute quotations ("rejected the suggestion")
_STANCES = frozenset({
    "rejected", "rejects", "denied", "denies", "accused", "accuses", "dismissed", "dismisses", "welcomed",
    "welcomes", "condemned", "condemns", "demanded", "demands", "blamed", "blames", "criticised",
    "criticized", "criticises", "criticizes", "refused", "refuses", "praised", "praises", "agreed"})
_SPEAKING = "|".join(sorted(CUE_WORDS | _STANCES))
# X as the subject: not after a preposition ("the role of Qatar"), the verb after at most a few adverbs
# or auxiliaries ("Afghanistan, however, rejected", "Kabul has denied")
_OBJECT_BEFORE = re.compile(r"\b(?:of|and|or|with|to|by|for|from|in|on|at|against|about)\s+$", re.IGNORECASE)
_SPEAKS_AFTER = re.compile(rf",?(?:\s+(?:however|also|then|later|too|meanwhile|has|have|had|[a-z]+ly|"
                           rf"on\s+\w+day),?){{0,3}}\s+(?:{_SPEAKING})\b")


def reported_answer(speaker: str, ranked: Sequence[Evidence], limit: int, depth: int = 10,
                    about: frozenset[str] = frozenset()) -> Attributed | None:
    """'What did X say' when no passage quotes X (or, `about` something, none of X's quotations speaks
    of it): the sentences that report X's words without quoting them ("Afghanistan, however, rejected
    the suggestion of complicity"), X the subject of a verb of saying, best passages first, one per
    article. None when the coverage reports none: a sentence that only mentions X says nothing X said."""
    name = re.compile(rf"\b{re.escape(speaker)}\b(?![’'-])")

    def says(sentence: str) -> bool:
        return (not about or mentions(sentence, about)) and any(
            _SPEAKS_AFTER.match(sentence, m.end()) and not _OBJECT_BEFORE.search(sentence[:m.start()])
            for m in name.finditer(sentence))

    chosen: list[tuple[Evidence, str]] = []
    for ev in ranked[:depth]:
        cited = {e.hit.passage.article_id for e, _ in chosen}
        said = next((s for s in ev.hit.passage.window_sentences if says(s)), None)
        if said is not None and ev.hit.passage.article_id not in cited and len(chosen) < limit:
            chosen.append((ev, said))
    if not chosen:
        return None
    return Attributed(chosen[0][1], tuple(ev for ev, _ in chosen), tuple(s for _, s in chosen), quoted=True)


def _about(question: Question, speaker: str) -> frozenset[str]:
    """What a quote question asks about, as word roots: its predicate words and the names other
    than the speaker's ("What did Asif say about *Kabul*?")."""
    names = question_entities(question.text) - set(tokenize(speaker))
    return question.predicate | {root(t) for t in names}


def description_answer(person: str, ranked: Sequence[Evidence],
                       describer: Callable[[str, str], str | None] = describe,
                       depth: int = 10) -> Attributed | None:
    """'Who is X': the description of X (`describer`: a title for a person, the spelled-out name for
    an acronym) that the best `depth` passages give most (one vote per article, each weighted by its
    passage's evidence score), with the passage and sentence first giving it; further citations only
    from passages that name X."""
    first: dict[str, tuple[str, Evidence, str]] = {}
    sightings: list[tuple[str, str, float]] = []
    for ev in ranked[:depth]:
        for sentence in ev.hit.passage.window_sentences:
            text = describer(sentence, person)
            if text is not None:
                first.setdefault(span_key(text), (text, ev, sentence))
                sightings.append((ev.hit.passage.article_id, span_key(text), ev.score))
    votes = tally(sightings)
    if not votes:
        return None
    text, ev, sentence = first[max(votes, key=lambda k: votes[k])]
    return Attributed(text, (ev,), (sentence,), quoted=False,
                      more_from=tuple(e for e in ranked if named_in(e, person)))


def holder_answer(title: str, ranked: Sequence[Evidence]) -> Attributed | None:
    """'Who is the Afghan spokesman?': the person the coverage titles so ("Taliban spokesman Zabihullah
    Mujahid"): the title's head word right before a name, in passages that tell its other words
    ("Afghan" by "Afghanistan"), by the votes of the best passages; None when none names a holder."""
    *modifiers, _ = title.split()
    told = [ev for ev in ranked if all(named_in(ev, word) for word in modifiers)]
    return description_answer(title, told, holder) if told else None


def tally(mentions: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Votes by answer key from (article, key, weight) mentions. One article is one report: its
    strongest mention votes, however often it repeats the answer (a story's own parties are named in
    every paragraph)."""
    strongest: dict[tuple[str, str], float] = {}
    for article, key, weight in mentions:
        strongest[(article, key)] = max(strongest.get((article, key), 0.0), weight)
    votes: dict[str, float] = {}
    for (_, key), weight in strongest.items():
        votes[key] = votes.get(key, 0.0) + weight
    return votes


def _same_speaker(asked: str, said: str) -> bool:
    """`said` (an attributed speaker) is the asked person: one name's words contain the other's, or
    the two are the same alias chain ("Mujahid" / "Zabihullah Mujahid")."""
    a = [w.lower() for w in tokenize(asked)]
    b = [w.lower() for w in tokenize(clean_name(said))]
    if not a or not b:
        return False
    if set(a) <= set(b) or set(b) <= set(a):
        return a[-1] == b[-1] or len(a) == 1 or len(b) == 1
    aliases = speaker_aliases([" ".join(a), " ".join(b)])
    return aliases[" ".join(a)] == aliases[" ".join(b)]


def quotes_for(sentences: Sequence[str], group: str) -> tuple[str, list[str]] | None:
    """The quotations of the first person a passage (its `sentences`) describes as speaking for
    `group`, with that description: "What did the Foreign Office say?" is answered by "Foreign Office
    spokesperson Tahir Andrabi", "What did the Taliban say?" by "Taliban spokesman Zabihullah
    Mujahid". None when no quoted speaker's title names the group."""
    words = re.compile(rf"\b{re.escape(group)}\b", re.IGNORECASE)
    asked = tokenize(group)

    def speaks_for(title: str) -> bool:
        """The title names the group ("Foreign Office spokesperson"), or it is the asked title with
        fewer of its words ("Taliban spokesman" for "the Afghan Taliban spokesman")."""
        if words.search(title):
            return True
        own = set(tokenize(title))
        return len(asked) > 1 and asked[-1] in own and own <= set(asked)

    titles: dict[str, str | None] = {}  # each speaker described once, however often quoted
    found: dict[str, tuple[str, list[str]]] = {}
    for mention in extract_quotes(" ".join(sentences)):
        if mention.speaker is None:
            continue
        if mention.speaker not in titles:
            titles[mention.speaker] = next(
                (t for s in sentences if (t := describe(s, mention.speaker)) is not None), None)
        title = titles[mention.speaker]
        if title is not None and speaks_for(title.replace(mention.speaker, "")):
            found.setdefault(mention.speaker, (title, []))[1].append(mention.text.strip())
    return next(iter(found.values()), None)


def quotes_by(text: str, speaker: str) -> tuple[str, list[str]] | None:
    """Direct quotations in `text` attributed to `speaker`, with the speaker's name as the coverage
    writes it (its fullest form: "Zabihullah Mujahid" for "what did mujahid say"), by the shared
    extractor (`summarizer.quotes`): it handles quotes split by their attribution, speakers named
    before or after the quote, and pronouns resolved to the last named person. None when none."""
    names: list[str] = []
    out: list[str] = []
    for mention in extract_quotes(text):
        if mention.speaker is not None and _same_speaker(speaker, mention.speaker):
            names.append(clean_name(mention.speaker))
            out.append(mention.text.strip())
    if not out:
        return None
    # the fullest name, the question's own when it spells it more fully than this passage does
    return max([*names, *([speaker] if speaker[:1].isupper() else [])], key=lambda n: len(n.split())), out
