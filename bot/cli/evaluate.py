"""`newsdigest eval`: score the text core on the shared eval data beside its baselines."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import JSON_VERSION, CliError

TASKS = ("quotes", "stories", "summaries", "qa")
REPO = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """`../shared/eval` from the working directory, else beside the checkout."""
    for candidate in (Path("../shared/eval"), REPO.parent / "shared" / "eval"):
        if candidate.is_dir():
            return candidate
    return Path("../shared/eval")


def register(sub: Any) -> None:
    p = sub.add_parser("eval", help="evaluate quotes, stories, summaries and /ask on the eval data")
    p.add_argument("--task", choices=(*TASKS, "all"), default="all", help="which area (default all)")
    p.add_argument("--data", type=Path, help="eval data directory (default ../shared/eval)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--fit", action="store_true",
                   help="with --task qa: refit /ask's evidence and confidence models on this data and "
                        "print their weights (dev half only)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    data = args.data or default_data_dir()
    tasks = TASKS if args.task == "all" else (args.task,)
    if args.fit and tasks != ("qa",):
        raise CliError("eval: --fit refits the /ask models and needs --task qa")
    missing = [t for t in tasks if not (data / t).is_dir()]
    if missing:
        raise CliError(f"eval data: {data / missing[0]} not found (use --data DIR)")
    results: dict[str, Any] = {}
    for task in tasks:
        module = importlib.import_module(f"bot.evaluation.{task}{'_fit' if args.fit else ''}")
        tables = module.run(data)
        results[task] = [t.to_dict() for t in tables]
        if args.format == "text":
            for table in tables:
                print(table.render(), end="\n\n", flush=True)
    if args.format == "json":
        json.dump({"version": JSON_VERSION, "data": str(data), "tasks": results}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0
