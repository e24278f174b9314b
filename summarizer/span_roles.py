"""Which name did the asked thing, for /ask's who / which spans (`summarizer.spans`): the agent after
"by" / "of", the subject after an opening participle, the place owning a name; and the names that
cannot be a person's.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from summarizer.places import PLACE_CHECKS, is_country_or_state
from summarizer.questions import mentions

# head words of the names of institutions, places, events and things, never of a person
_ORG_WORDS = frozenset({"journal", "times", "post", "news", "stadium", "arena", "award", "awards", "church",
                        "amendment", "university", "college", "street", "mail", "center", "centre", "museum",
                        "airport", "hotel", "hospital", "school", "court", "house", "department", "ministry",
                        "company", "inc", "corp", "group", "association", "league", "festival", "party",
                        "committee", "council", "agency", "network", "studios", "records", "magazine",
                        "war", "open", "cup", "championship", "championships", "games", "olympics", "oscars",
                        "grammys", "emmys", "international", "prize"})


def not_a_person(text: str) -> bool:
    """A name that cannot be a person's: initials alone ("TV", "US"), a country or US state, a name
    ending in a number ("ChatGPT 4"), or a name whose head word names an institution or a thing ("Wall
    Street Journal", "Allegiant Stadium")."""
    words = text.split()
    if (len(words) == 1 and text.isupper()) or is_country_or_state(text):
        return True
    if words[-1].isdigit():
        return True  # "ChatGPT 4", "Super Bowl 57": a thing's number, not a person's
    return words[-1].lower().removesuffix("’s").removesuffix("'s").strip(".,") in _ORG_WORDS


_AGENT = re.compile(r"\b(?:by|of)\s+(?:the\s+)?$")


def agent_of(before: str, q_roots: AbstractSet[str], doing: str | None) -> bool:
    """A name right after "by" / "of" names the agent of the asked verb when the word before the marker
    is that verb ("mediated by", "the mediation of"; not "Criticizing statements made by"), or of
    the question's words when it asks no action."""
    agent = _AGENT.search(before)
    if agent is None:
        return False
    if doing is None:
        return mentions(before, q_roots)
    lead = before[:agent.start()].split()
    return bool(lead) and mentions(lead[-1], {doing})


_PARTICIPLE = re.compile(r"(?P<verb>[A-Z][a-z]+ing)\b[^,;:.]{1,120},\s+")


def after_participle(sentence: str, action: str) -> int:
    """Where the main clause's subject starts after an opening participle of the asked verb ("Speaking
    to reporters, Asif said": who spoke is Asif), else -1."""
    m = _PARTICIPLE.match(sentence)
    return m.end() if m is not None and mentions(m.group("verb"), {action}) else -1


_OWNER = re.compile(r"(.+?)['’]s\s")


def owning_place(text: str, focus: str | None) -> str | None:
    """The place owning a name ("Sweden’s Loreen") when the question asks for such a place ("which
    country won"): what the owned did, its place did."""
    m = _OWNER.match(text)
    check = PLACE_CHECKS.get(focus or "")
    return m.group(1) if m is not None and check is not None and check(m.group(1)) else None
