"""`newsdigest digest` and `newsdigest quotes`: ingest sources, then digest their stories or list quotes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import add_common, open_config, run_ingest
from bot.contract import digest_json, quotes_json
from bot.digests import assign_stories, digest_stories, field_membership, group_stories, load_articles
from bot.embedding_store import StoreCachedEmbedder
from bot.render import render_markdown, render_text
from summarizer.quote_merge import merge_quotes
from summarizer.quotes import extract_quotes


def register(sub: Any) -> None:
    p = sub.add_parser("digest", help="ingest sources and print the digest of their stories")
    p.add_argument("--from", dest="sources", nargs="+", metavar="SOURCE", help="sources (default: config)")
    p.add_argument("--group-by", metavar="FIELD",
                   help="take the story grouping from this input field instead of clustering")
    add_common(p, formats=("text", "json", "markdown"))
    p.set_defaults(handler=handle_digest)

    q = sub.add_parser("quotes", help="ingest sources and list their quotes with speakers and offsets")
    q.add_argument("--from", dest="sources", nargs="+", metavar="SOURCE", help="sources (default: config)")
    add_common(q)
    q.set_defaults(handler=handle_quotes)


def handle_digest(args: argparse.Namespace) -> int:
    config, engine = open_config(args)
    report = run_ingest(config, engine, args.sources or config.sources.locations, args)
    ids = list(dict.fromkeys(r.id for r in report.results))
    articles = load_articles(engine, ids)
    embedder = StoreCachedEmbedder(engine, config.models, cache_dir=str(config.store.data_dir / "models"))
    if args.group_by:
        membership = field_membership(articles, args.group_by)
    else:
        membership = assign_stories(engine, embedder, config, articles)
    digests = digest_stories(group_stories(articles, membership), embedder, config,
                             all_quotes=args.format == "json")
    if args.format == "json":
        json.dump(digest_json(digests), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        print(render_markdown(digests))
    else:
        print(render_text(digests))
    return 1 if report.skipped else 0


def handle_quotes(args: argparse.Namespace) -> int:
    config, engine = open_config(args)
    report = run_ingest(config, engine, args.sources or config.sources.locations, args)
    # Offsets refer to the text exactly as given in each input record, named by the record's own id.
    per_article = {(r.item_id or r.id): extract_quotes(r.raw_text) for r in report.results}
    merged = merge_quotes(per_article)
    if args.format == "json":
        json.dump(quotes_json(per_article, merged), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for q in merged:
            print(f"“{q.text}”\n    — {q.speaker or 'unattributed'} ({', '.join(q.sources)})")
    return 1 if report.skipped else 0
