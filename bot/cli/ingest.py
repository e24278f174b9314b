"""`newsdigest ingest SOURCE...`: store articles, report new / duplicate / skipped with reasons."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_common, open_config, print_json, run_ingest, skipped_json


def register(sub: Any) -> None:
    p = sub.add_parser("ingest", help="ingest files, directories, feeds, pages or OPML lists")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="file, directory, feed or page URL, OPML file (default: the config's sources)")
    add_common(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    config, engine = open_config(args)
    locations = args.sources or config.sources.locations
    report = run_ingest(config, engine, locations, args)
    new, dup, skipped = report.count("new"), report.count("duplicate"), len(report.skipped)
    if args.format == "json":
        print_json({
            "new": new, "duplicate": dup, "skipped": skipped,
            "articles": [{"id": r.id, "status": r.status, "duplicate_of": r.duplicate_of,
                          "origin": r.origin} for r in report.results],
            "skipped_items": skipped_json(report.skipped),
        })
    else:
        print(f"{new} new, {dup} duplicate, {skipped} skipped ({', '.join(locations)})")
        for r in report.results:
            print(f"  {r.status:<9} {r.id}" + (f"  (same as {r.duplicate_of})" if r.status == "duplicate"
                                                 and r.duplicate_of != r.id else ""))
    return 1 if skipped else 0
