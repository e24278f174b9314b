"""A small coverage for the /ask tests: two reports of one earthquake that disagree on the toll,
a summit with a date and place, and an unrelated football match."""

from __future__ import annotations

from datetime import datetime

from summarizer.types import Article

QUAKE_A = Article(
    id="quake-reuters", outlet="Reuters", url="https://example.org/reuters/quake",
    published=datetime(2023, 11, 7), title="Earthquake strikes western Turkey",
    text=("A magnitude 6.1 earthquake struck western Turkey on Monday, damaging buildings in Izmir.\n"
          "At least 14 people were killed and dozens injured, the disaster agency AFAD said.\n"
          "Rescue teams worked through the night in the coastal province."))
QUAKE_B = Article(
    id="quake-ap", outlet="AP", url="https://example.org/ap/quake", published=datetime(2023, 11, 8),
    title="Deadly earthquake hits Turkey's Aegean coast",
    text=("Officials said 17 people were killed in the earthquake that hit Izmir province in western "
          "Turkey.\nThe quake, centred off the Aegean coast, was felt as far away as Athens.\n"
          "Aid groups set up tents for families whose homes were damaged."))
SUMMIT = Article(
    id="summit-1", outlet="BBC", url="https://example.org/bbc/summit", published=datetime(2023, 10, 30),
    title="Leaders to meet for Black Sea grain talks",
    text=("Turkish President Recep Tayyip Erdogan will host the grain corridor talks on November 6, in "
          "Istanbul, his office announced.\n"
          "Foreign Minister Hakan Fidan said the talks would focus on shipping through the Black Sea.\n"
          "\"We will not let the grain deal collapse,\" Erdogan said in a televised address."))
LEAGUE = Article(
    id="league-1", outlet="Sky Sports", url="https://example.org/sky/league", published=datetime(2023, 5, 1),
    title="Arsenal beat Chelsea in London derby",
    text=("Arsenal beat Chelsea 3-1 at the Emirates Stadium on Saturday.\n"
          "Martin Odegaard scored twice as the hosts moved back to the top of the Premier League.\n"
          "Chelsea manager Frank Lampard said his side lacked intensity."))
COVERAGE = (QUAKE_A, QUAKE_B, SUMMIT, LEAGUE)
