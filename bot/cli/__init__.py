"""The `newsdigest` command line. Exit codes: 0 success, 1 some items failed, 2 usage or config error."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.cli import articles, ask, digest, evaluate, ingest, run, worker
from bot.cli.common import CliError
from bot.config import ConfigError

COMMANDS = (ingest, articles, digest, ask, evaluate, run, worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdigest", description="Self-hosted news digests for Telegram and Slack.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Our own progress bars say what is happening; the hub's per-file bars while loading a local
    # model are noise on stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        code: int = args.handler(args)
    except (ConfigError, CliError) as exc:
        print(f"newsdigest: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


