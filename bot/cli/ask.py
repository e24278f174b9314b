"""`newsdigest ask`: answer questions from the stored coverage, with citations, or say it can't."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, add_common, open_config, run_ingest
from bot.contract import answer_json
from bot.render import render_answer
from bot.service import Newsroom


def register(sub: Any) -> None:
    p = sub.add_parser("ask", help="answer a question from the coverage, with citations")
    p.add_argument("question", nargs="?", help="the question (or use --questions FILE)")
    p.add_argument("--story", metavar="ID", help="ask about this story (its articles are searched first)")
    p.add_argument("--from", dest="sources", nargs="+", metavar="SOURCE",
                   help="ingest these sources first (default: only what is stored)")
    p.add_argument("--questions", type=Path, metavar="FILE",
                   help="one question per line, or JSON Lines with `question` and an optional `id`")
    add_common(p)
    p.set_defaults(handler=handle)


def read_questions(path: Path) -> list[tuple[str | None, str]]:
    """(id, question) pairs from plain lines or JSON Lines, in input order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"--questions {path}: cannot be read ({exc})") from None
    out: list[tuple[str | None, str]] = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                record = json.loads(line)
                question = str(record["question"]).strip()
            except (json.JSONDecodeError, KeyError, TypeError):
                raise CliError(f"--questions {path}: line {n} is not a JSON object with `question`") from None
            qid = record.get("id")
            out.append((str(qid) if qid is not None else None, question))
        else:
            out.append((None, line))
    return out


def handle(args: argparse.Namespace) -> int:
    if bool(args.question) == bool(args.questions):
        raise CliError("ask: give one QUESTION or --questions FILE")
    questions = read_questions(args.questions) if args.questions else [(None, args.question)]
    config, engine = open_config(args)
    skipped = run_ingest(config, engine, args.sources, args).skipped if args.sources else []
    news = Newsroom(config, engine)
    for qid, question in questions:
        answer = news.ask(question, story_id=args.story)
        if args.format == "json":
            out = answer_json(answer, qid)
            indent = None if args.questions else 2
            sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=indent) + "\n")
        else:
            print((f"Q: {question}\n" if args.questions else "") + render_answer(answer), end="\n\n"
                  if args.questions else "\n")
        sys.stdout.flush()
    return 1 if skipped else 0
