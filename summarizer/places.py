"""Which names are countries or US states: a "which country" question wants Qatar, not Istanbul.

The names are CLDR's English territory names (through Babel, already a dependency of the text
extractor), plus the short and older forms news writes ("US", "Britain", "Turkey") and the UK's
nations, which quizzes and reports call countries. Accents are folded ("Turkiye" is "Türkiye").
"Which state" in English news asks for a US state unless the question names another country's
("which Indian state" has another focus word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# the forms CLDR's standard names leave out
_ALIASES = (
    "US", "U.S.", "USA", "U.S.A.", "America", "UK", "U.K.", "Britain", "Great Britain", "England", "Scotland",
    "Wales", "Northern Ireland", "Turkey", "Czech Republic", "Burma", "Ivory Coast", "Holland",
    "Congo", "Democratic Republic of Congo", "Democratic Republic of the Congo", "DRC", "Palestine", "Gaza",
    "Vatican", "Macau", "Bosnia", "East Timor", "Swaziland",
    "UAE", "Emirates", "Korea", "Soviet Union", "USSR")
# CLDR's groupings and placeholders: the EU, the eurozone, the UN, "Unknown Region", pseudo-locales
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
_US_STATES = frozenset(_x.lower() for _x in (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana",
    "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana",
    "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
    "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
    "Wisconsin", "Wyoming"))


@lru_cache(maxsize=65536)
def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("&", "and")
    text = re.sub(r"^the\s+", "", text.strip().lower())
    return " ".join(re.sub(r"[^\w\s]", "", text).split())


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    from babel import Locale

    names = [name for code, name in Locale("en").territories.items()
             if not code.isdigit() and code not in _NOT_COUNTRIES]
    # "Myanmar (Burma)", "Hong Kong SAR China": the plain name before the qualifier
    names += [re.split(r"\s+(?:\(|SAR\b)", name)[0] for name in names]
    return frozenset(_fold(name) for name in (*names, *_ALIASES))


@lru_cache(maxsize=1)
def _world_regions() -> frozenset[str]:
    from babel import Locale

    return frozenset(_fold(name) for code, name in Locale("en").territories.items() if code.isdigit())


def is_world_region(name: str) -> bool:
    """`name` is a continent or a region of the world ("Europe", "Southeast Asia", "Latin America")."""
    return _fold(name) in _world_regions()


def _country_or_region(name: str) -> bool:
    return is_country(name) or is_world_region(name)


def is_country(name: str) -> bool:
    """`name` is a country ("Türkiye", "the Netherlands", "U.S.")."""
    return _fold(name) in _countries()


def is_us_state(name: str) -> bool:
    """`name` is a US state."""
    return _fold(name) in _US_STATES


def is_country_or_state(name: str) -> bool:
    """`name` is a country or a US state: a gazetteer name, whatever its capitals or position."""
    return is_country(name) or is_us_state(name)


# the place a question's focus word asks for ("which *countries*"), by `summarizer.questions.question_focus`
PLACE_CHECKS = {"country": is_country, "nation": is_country, "state": is_us_state}
# a place a focus word rules out: a country or a continent is never "which *city*" or "which *province*"
# (nothing tells a city apart)
PLACE_EXCLUDES = dict.fromkeys(("city", "town", "village", "province", "district"), _country_or_region)
