"""Options and helpers every CLI command shares (`--config`, `--db`, `--format`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.config import Config, load_config
from bot.ingestion import ItemError, open_source
from bot.ingestion.pipeline import IngestReport, ingest
from bot.ops.logs import use_format
from bot.storage import open_store

JSON_VERSION = 1


class CliError(Exception):
    """A usage problem found after parsing, phrased as one line."""


def add_common(parser: argparse.ArgumentParser, formats: tuple[str, ...] = ("text", "json")) -> None:
    parser.add_argument("--config", type=Path, help="configuration file (TOML); default config/default.toml")
    parser.add_argument("--db", metavar="URL", help="store URL (overrides NEWSDIGEST_DB_URL and the config)")
    parser.add_argument("--format", choices=formats, default=formats[0], help="output format")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def open_config(args: argparse.Namespace) -> tuple[Config, Engine]:
    config = load_config(args.config, args.db)
    if getattr(args, "log_format", None) is None and config.ops.log_format != "text":
        use_format(config.ops.log_format)  # the file's choice, unless --log-format said otherwise
    return config, open_store(config.store.url)


def run_ingest(config: Config, engine: Engine, locations: list[str],
               args: argparse.Namespace) -> IngestReport:
    """Ingest locations and print one line per skipped item on stderr (naming it and why)."""
    report = ingest(engine, [open_source(loc, config.fetch) for loc in locations],
                    progress=not args.no_progress)
    for err in report.skipped:
        print(f"skipped {err.item}: {err.reason}", file=sys.stderr)
    return report


def skipped_json(skipped: list[ItemError]) -> list[dict[str, str]]:
    return [{"item": e.item, "reason": e.reason} for e in skipped]


def print_json(data: dict[str, Any]) -> None:
    json.dump({"version": JSON_VERSION, **data}, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
