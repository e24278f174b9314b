"""Question analysis for /ask: what a question asks for.

Pure text rules for news English: the question type (who / when / where / how many / which / quote /
other) decides what span `summarizer.spans` looks for in the evidence; the question's names, the noun
it counts or picks ("how many *people*", "which *state*", "how long": a length of time), whether it
asks for an owner ("whose"), and the person a quote question asks about ("what did X say").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import takewhile
from typing import Literal

from summarizer.places import is_country_or_state
from summarizer.retrieval import token_set, tokenize

QType = Literal["who", "when", "where", "how_many", "which", "quote", "other"]
Tense = Literal["past", "future"]


_SUFFIXES = ("ations", "ation", "ators", "ator", "ating", "ated", "ates", "ate", "ings", "ing", "ions",
             "ion", "ments", "ment", "ers", "er", "ed", "es", "ly", "e", "s")


@lru_cache(maxsize=65536)
def root(token: str) -> str:
    """A crude suffix-stripping root for the question's predicate words, which appear in other forms
    in the evidence ("mediated" / "mediation" -> "medi"); names never go through it."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=65536)
def _roots(text: str) -> frozenset[str]:
    return frozenset(root(t) for t in token_set(text))


def mentions(text: str, roots: AbstractSet[str]) -> bool:
    """Some word of `text` has one of these `root`s ("mediation" mentions "medi"). Cached by text: the
    span rules ask it of every word of every evidence sentence, and words repeat."""
    return not roots.isdisjoint(_roots(text))


# what is named by its title ("which film"): `summarizer.spans` takes only quoted titles for it
WORKS = frozenset({"movie", "film", "show", "series", "song", "album", "book", "novel", "play", "musical",
                   "podcast", "documentary", "sitcom", "drama", "painting", "game", "title"})

# works whose noun names nothing else ("awards show", "video game" and "royal title" are no titled works)
_NAMED_WORKS = WORKS - {"show", "series", "play", "musical", "drama", "game", "title"}

# what a "which" question may ask for that the coverage names with common nouns ("red squirrels", "baby
# wipes", "a total lunar eclipse"), not a capitalised name: the answer is the sentence that tells it
THINGS = frozenset(tokenize(
    "animal species insect bird fish creature livestock food item product ingredient drink dish fruit "
    "vegetable plant flower tree type kind sort color colour chemical substance material weather "
    "phenomenon disease illness virus currency following"))

# "how long": the answer counts a unit of time ("six days", "an hour", "several years")
DURATION = "duration"
_HOW_LONG = re.compile(r"\bhow long\b", re.IGNORECASE)

_PLACE_Q = re.compile(r"\b(?:country|countries|city|cities|state|states|nation|region|province|island|"
                      r"capital|town|continent|county|where)\b", re.IGNORECASE)
_PERSON_Q = re.compile(r"\b(?:who|whom|whose|person|people|man|woman|leader|president|minister|ceo|"
                       r"player|actor|actress|singer|star|author|founder|chief|senator|judge|coach|"
                       r"celebrity|artist|musician|rapper|superstar|athlete|host|comedian|director|"
                       r"writer|astronaut|billionaire|politician|candidate|official|journalist|"
                       r"presenter|footballer|golfer|boxer|driver|king|queen|prince|princess|figure|"
                       r"personality|entrepreneur|businessman|businesswoman|executive|lawmaker|scientist|chef|"
                       r"influencer|designer|composer|poet|novelist|painter|philanthropist|activist)\b",
                       re.IGNORECASE)
_AMOUNT = ("percentage", "percent", "proportion", "share", "fraction", "number", "amount")  # "what share"
_WH = re.compile(rf"\b(how many|how much|what (?:{'|'.join(_AMOUNT)})|"
                 r"what(?:['’]s|\s+(?:is|was|will be))\s+the\s+(?:date|day)|"
                 r"what year|which year|what date|what day|which day|what month|which month|"
                 r"when|where|who|whom|whose|which|what|how long|how old)\b", re.IGNORECASE)

_RELATIVE = frozenset({"who", "whom", "when", "where"})
_WHY = re.compile(r"\bwhy\b", re.IGNORECASE)
_PAST_WHEN = re.compile(r"^\W*when\s+(?:did|was|were|had)\b", re.IGNORECASE)
_FUTURE_WHEN = re.compile(r"^\W*when\s+(?:is|are|will|does|do)\b", re.IGNORECASE)
_OWNER_Q = re.compile(r"\bwhose\b|\b(?:which|what)\s+\w+['’]s\b", re.IGNORECASE)
_QUOTE_Q = re.compile(r"\bwhat (?:did|does|has|have) (.+?) (?:say|said|tell|told|write|wrote)\b|"
                      r"\bwhat (.+?) (?:said|told)\b|\bhow did (.+?) (?:describe|react|respond)\b",
                      re.IGNORECASE)


def _asked_wh(sentence: str) -> re.Match[str] | None:
    """The wh-phrase that asks: quizzes often ask in place ("... won how many titles?", "... when he
    painted which celebrity?"), so the last one wins, except a relative "who/when/where" after a word
    ("the man who ...", "the week when ..."), which only opens a clause."""
    # "WHO" in a sentence not written in capitals is the World Health Organization, not "who"
    found = [m for m in _WH.finditer(sentence) if m.group(1) != "WHO" or sentence.isupper()]
    asking = [m for m in found
              if m.group(1).lower() not in _RELATIVE or not re.search(r"\w[\s,]*$", sentence[:m.start()])]
    chosen = asking or found
    return chosen[-1] if chosen else None


def _last_sentence(question: str) -> str:
    """The sentence that asks: quizzes open with a preamble ("Parades are a tradition. Where was …")."""
    return re.split(r"(?<=[.!])\s+(?=[A-Z])", question.strip())[-1]


def question_type(question: str) -> QType:
    """What kind of span answers `question` (its last sentence decides: quizzes open with a preamble)."""
    if _QUOTE_Q.search(question):
        return "quote"
    last = _last_sentence(question)
    m = _asked_wh(last) or _WH.search(question)
    if m is None:
        return "other"
    wh = m.group(1).lower()
    after = last[m.end():m.end() + 40]
    if wh in ("how many", "how much", "how long", "how old") or wh.split()[-1] in _AMOUNT:
        return "how_many"
    if wh in ("when", "what year", "which year", "what date", "what day", "which day", "what month",
              "which month") \
            or wh.endswith((" date", " day")):
        return "when"
    if wh == "where":
        return "where"
    if wh in ("who", "whom", "whose"):
        return "who"
    if _PLACE_Q.match(after.strip()) or _PLACE_Q.search(after.split(" is ")[0][:20]):
        return "where"
    if wh == "which":
        # the asked-for noun is within the next three words ("which music superstar"), before a verb
        # ("which movie does director Tarantino like": a movie)
        words = _before_verb(after.split()[:3])
        return "who" if _PERSON_Q.search(" ".join(words)) else "which"
    return "other"


def question_entities(question: str) -> set[str]:
    """Stemmed tokens of the capitalised words and numbers of the question (sentence starts excluded)."""
    out: set[str] = set()
    for m in re.finditer(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]+|\b\d[\d,.]*\b", question):
        out.update(tokenize(m.group()))
    return out


_SMALL_COUNTS = frozenset({"two", "three", "four", "five", "six"})
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "did", "does", "do", "have", "has", "had",
                          "will", "would", "can", "could", "should", "may", "might", "must"})


def _before_verb(words: Iterable[str]) -> list[str]:
    """The words of an asked noun phrase, up to the first auxiliary verb ("which movie *does* ...")."""
    return list(takewhile(lambda w: w.lower() not in _AUXILIARIES, words))


# ("which Indian state" is no US state: a state keeps its modifier)
_PLACE_NOUNS = frozenset({"country", "countries", "nation", "nations", "city", "cities", "town", "island",
                          "province", "region"})


_FOCUS_NOUN = r"\s+(?:of\s+the\s+)?(?:US\s+|U\.S\.\s+|American\s+)?([a-z][\w-]+)((?:\s+[\w-]+){0,3})"
_FOCUS_HOW = re.compile(rf"\b(?:how many|how much){_FOCUS_NOUN}", re.IGNORECASE)
_FOCUS = re.compile(rf"\b(?:which|what){_FOCUS_NOUN}", re.IGNORECASE)


def question_focus(question: str) -> str | None:
    """The stemmed noun the question counts or picks ("how many *people*", "which *state*"), or
    `DURATION` for "how long" (a count of any unit of time)."""
    if _HOW_LONG.search(question):
        return DURATION
    # "a career in which he won how many titles": the count, not the relative "which"
    m = _FOCUS_HOW.search(question) or _FOCUS.search(question)
    if m is None:
        return None
    toks = tokenize(m.group(1))
    if m.group(1).lower() in _SMALL_COUNTS and m.group(2).split():
        toks = tokenize(m.group(2).split()[0])  # "which two countries": countries
    nxt = m.group(2).split()[:1]
    if m.group().lower().startswith("how") and m.group(1)[0].isupper() and nxt and nxt[0].islower() \
            and nxt[0] not in _AUXILIARIES and tokenize(nxt[0]):
        toks = tokenize(nxt[0])  # "how many TTP militants", "how many UK workers": the counted noun
    if m.group(1)[0].isupper() and nxt and nxt[0] in _PLACE_NOUNS:
        toks = tokenize(nxt[0])  # "which Caribbean nation", "which European country": a nation
    # the words of the asked noun phrase, up to a verb ("what is the weather" asks of no kind of thing)
    phrase = _before_verb((m.group(1) + m.group(2)).split())
    things = [t for t in tokenize(" ".join(phrase))[:3] if t in THINGS]
    if things:
        return things[0]  # "which invasive species", "which type of product": a common noun answers
    # "which horror film", "which other Disney film": a work named a few words on
    later = [t for t in tokenize(m.group(2)) if t in _NAMED_WORKS]
    if later and not (toks and toks[0] in WORKS):
        return later[0]
    return toks[0] if toks else None


def asks_why(question: str) -> bool:
    """The question asks for a cause: its answer is a sentence that gives one."""
    return _WHY.search(question) is not None


def asked_tense(question: str) -> Tense | None:
    """The tense of a "when" question: told in the past ("When did the ceasefire start?"), a date the
    coverage schedules ("both countries will meet again on Nov 6") does not answer it; told in the
    present or future ("When is the Istanbul meeting?"), a scheduled date does, before a past one."""
    last = _last_sentence(question)
    return "past" if _PAST_WHEN.search(last) else "future" if _FUTURE_WHEN.search(last) else None


_WHO_DID = re.compile(r"^\W*who\s+(?:(?:is|was|were|are|has|have|had|will|would|did|does|do|be|been|being"
                      r"|can|could|should|may|might|must|shall)\s+)*"
                      r"([a-z][a-z-]+)\b", re.IGNORECASE)
# the first verb past the asked noun ("Which official *said* Pakistan has responded?"), regular or one
# of the irregular verbs of speech
_WHICH_DID = re.compile(r"^\W*(?:which|what)\s+(?:[a-z]+\s+){1,3}?"
                        r"(?:(?:is|was|were|are|has|have|had|will|would|be|been)\s+)*"
                        r"([a-z][a-z-]+ed|said|says|told|tells|spoke|wrote)\b",
                        re.IGNORECASE)
_NOT_ACTION = frozenset({"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its",
                         "not", "also", "still", "now", "then", "there", "here", "behind", "in", "on", "at",
                         "for", "else"})


def asked_action(question: str) -> str | None:
    """The root of the verb a "who" question asks the doer of ("Who *confirmed* that the delegation
    left?": confirmed, not left), or a "which" question its past participle or past tense ("Which
    countries *mediated* the talks?", "Which US government agency *announced* a cut?"); None when no verb
    follows ("Who is the minister?")."""
    m = _asking_verb(question)
    return None if m is None else root(m.group(1).lower())


def asks_passive(question: str) -> bool:
    """The asked verb is passive ("Who *was accused* of ...?", "Which group was blamed?"): the answer
    is who it was done to, not its doer."""
    m = _asking_verb(question)
    return m is not None and _BE_BEFORE.search(m.string, 0, m.start(1)) is not None


_BE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+$", re.IGNORECASE)


def _asking_verb(question: str) -> re.Match[str] | None:
    last = _last_sentence(question)
    m = _WHO_DID.search(last) or _WHICH_DID.search(last)
    if m is None or m.group(1).lower() in _NOT_ACTION or m.group(1)[0].isupper():
        return None
    return m


def asks_owner(question: str) -> bool:
    """The question asks for an owner ("whose", "which country's lawmakers"): a possessive answers it."""
    return _OWNER_Q.search(question) is not None


def question_speaker(question: str) -> str | None:
    """The person a quote question asks about ("What did Defence Minister Asif say?" -> "Asif")."""
    m = _QUOTE_Q.search(question)
    if m is None:
        return None
    from summarizer.attribution import clean_name

    phrase = next(g for g in m.groups() if g)
    phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.IGNORECASE)
    words = clean_name(phrase).split()
    run = len(words)
    while run > 0 and words[run - 1][:1].isupper():
        run -= 1
    # the trailing capitalised run is the name ("Taliban spokesman Zabihullah Mujahid")
    name = " ".join(words[run:] if run < len(words) else words)
    if name.lower() in _PERSONAL_PRONOUNS:  # "Who is Tahir Andrabi and what did he say?": Tahir Andrabi
        named = [n for n in _CAPITALISED_RUN.findall(question, 0, m.start()) if n.split()[0] not in _OPENERS]
        return named[-1] if named else name
    return name or None


_PERSONAL_PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them"})
_CAPITALISED_RUN = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
_OPENERS = frozenset({"Who", "What", "When", "Where", "Which", "Why", "How", "Is", "Are", "Did", "Does", "Do",
                      "The", "And", "Tell", "Please"})


_CONTRACTED = re.compile(r"\b(who|what|when|where|how)(?:['’]s|(?<=what)s)\b", re.IGNORECASE)


def expand_contractions(question: str) -> str:
    """"who's Mujahid", "whats ttp", "when's the next round": the question with "is" spelled out, as the
    rules that read "who is X" and "what is X" expect it."""
    return _CONTRACTED.sub(r"\1 is", question)


_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|[“\"‘(]\s*)$")


def truecase(question: str, texts: Iterable[str]) -> str:
    """An all-lowercase question ("who is tahir andrabi", as chat users type) with its names written
    as the coverage writes them ("who is Tahir Andrabi", "what is TTP") and countries and US states
    capitalised, so the rules that read names by their capitals read it as they read a typed one.
    Its first letter may be a capital (a phone keyboard's); a question with any other capital is
    left as it is."""
    if question[1:] != question[1:].lower():
        return question
    asked = sorted({w.lower() for w in _WORD.findall(question)}, key=len, reverse=True)
    if not asked:
        return question
    # only the question's own words are counted
    wanted = re.compile(rf"\b(?:{'|'.join(map(re.escape, asked))})\b", re.IGNORECASE)
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for sentence in _SENTENCES.split(text):
            found = list(wanted.finditer(sentence))
            if not found:
                continue
            words = _WORD.findall(sentence)
            if 2 * sum(w[0].isupper() for w in words) > len(words):
                continue  # a headline in title case capitalises every word
            for m in found:
                word = m.group()
                if not (word[0].isupper() and _SENTENCE_START.search(sentence, 0, m.start())):
                    forms.setdefault(word.lower(), Counter())[word] += 1  # not an opener's capital

    def cased(m: re.Match[str]) -> str:
        word = m.group()
        seen = forms.get(word)
        if seen:  # a name is written so nearly always
            form, n = seen.most_common(1)[0]
            return form if not form.islower() and n >= 0.9 * sum(seen.values()) else word
        return word.title() if is_country_or_state(word) else word

    return _WORD.sub(cased, question)
