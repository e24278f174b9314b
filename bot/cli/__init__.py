"""The `newsdigest` command line. Exit codes: 0 success, 1 some items failed, 2 usage or config error."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from bot import redact
from bot.cli import articles, ask, bench, digest, evaluate, ingest, run, worker
from bot.cli.common import CliError
from bot.config import ConfigError
from bot.ops.logs import TEXT_FORMAT, use_format

COMMANDS = (ingest, articles, digest, ask, evaluate, bench, run, worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdigest", description="Self-hosted news digests for Telegram and Slack.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail on stderr")
    parser.add_argument("--log-format", choices=("text", "json"),
                        help="log lines as text or one JSON object each (default: ops.log_format)")
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
                        format=TEXT_FORMAT, stream=sys.stderr)
    if args.log_format:
        use_format(args.log_format)
    redactor = redact.install(redact.secrets_from_env())  # every record, whatever its handler: no secrets
    try:
        code: int = args.handler(args)
    except (ConfigError, CliError) as exc:
        print(f"newsdigest: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # an unreachable or refused store: one line, never the URL's password
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(redactor.redact(f"newsdigest: the store failed: {reason}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


