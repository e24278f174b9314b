"""`newsdigest bench`: run every benchmark, print a table (or JSON) and write the figures as JSON.

The benchmark code lives in the checkout's `bench/` (it drives the fake Telegram server under
`tests/`), so this command runs from a checkout: the repository root is put on `sys.path` for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import JSON_VERSION, CliError, print_json
from bot.cli.evaluate import REPO, default_data_dir
from bot.config import load_config

DEFAULT_OUT = Path("data/bench/results.json")


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="benchmarks: ingest, digest, /ask, memory, fan-out, 10k/1k scaling")
    p.add_argument("--quick", action="store_true", help="a small smoke run (seconds, not minutes)")
    p.add_argument("--data", type=Path, help="eval data directory (default ../shared/eval)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"write the JSON here (default {DEFAULT_OUT})")
    p.add_argument("--skip", nargs="+", default=[], metavar="PART",
                   help="leave out parts: ingest digest scaling memory fanout")
    p.add_argument("--config", type=Path, help="configuration file (TOML); its [models] are benchmarked")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not (REPO / "bench" / "run.py").exists():
        raise CliError(f"bench needs the source checkout ({REPO / 'bench'} not found)")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench.run import SECTIONS, Plan, run_all
    from bench.table import render

    unknown = sorted(set(args.skip) - set(SECTIONS))
    if unknown:
        raise CliError(f"--skip: unknown part {unknown[0]!r} (parts: {' '.join(SECTIONS)})")
    data = args.data or default_data_dir()
    if not (data / "qa").is_dir():
        raise CliError(f"eval data: {data / 'qa'} not found (use --data DIR)")
    config = load_config(args.config)
    plan = Plan.quick() if args.quick else Plan()
    result = run_all(data, config, plan, tuple(args.skip), progress=not args.no_progress)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"version": JSON_VERSION, **result}, indent=2, default=str) + "\n",
                        encoding="utf-8")
    if args.format == "json":
        print_json(result)
    else:
        print(render(result))
        print(f"figures written to {args.out}")
    return 1 if result["errors"] else 0
