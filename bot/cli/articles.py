"""`newsdigest articles`: list what the store holds, with every place each article was seen."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.cli.common import add_common, open_config, print_json
from bot.storage.models import ArticleRow


def register(sub: Any) -> None:
    p = sub.add_parser("articles", help="list stored articles")
    p.add_argument("--limit", type=int, default=100, help="at most this many, newest first (default 100)")
    p.add_argument("--full", action="store_true", help="print the cleaned text too")
    add_common(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    _, engine = open_config(args)
    with Session(engine) as session:
        rows = session.scalars(
            select(ArticleRow).options(selectinload(ArticleRow.sources))
            .order_by(ArticleRow.published.desc(), ArticleRow.fetched.desc(), ArticleRow.id)
            .limit(args.limit)
        ).all()
        data: list[dict[str, Any]] = [{
            "id": r.id, "outlet": r.outlet, "title": r.title, "url": r.url,
            "published": r.published.isoformat() if r.published else None, "place": r.place,
            "sources": [{"outlet": s.outlet, "url": s.url, "origin": s.origin} for s in r.sources],
            **({"text": r.text} if args.full else {}),
        } for r in rows]
    if args.format == "json":
        print_json({"articles": data})
        return 0
    for a, row_sources in zip(data, (len(r["sources"]) for r in data), strict=True):
        extra = f" (+{row_sources - 1} more sources)" if row_sources > 1 else ""
        title = a["title"] or "(untitled)"
        print(f"{a['id']}  {a['outlet'] or '-'}  {a['published'] or '-'}  {title}{extra}")
        if args.full:
            print(a["text"], end="\n\n")
    return 0
