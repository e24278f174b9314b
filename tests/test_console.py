"""The console adapter and `newsdigest run`: commands on stdin, replies and digests on stdout."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_commands import FixedNews, story

from bot.adapters.console import ConsoleAdapter
from bot.adapters.runner import chat_adapters, run_forever, run_once
from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.config import Config, Secrets
from bot.storage.db import open_store

REPO = Path(__file__).resolve().parent.parent


def console_session(sqlite_url: str, lines: list[str]) -> str:
    layer = CommandLayer(
        FixedNews([story(1, "Flood in the valley"), story(2, "Election results")]),
        ChatStore(open_store(sqlite_url)),
        callback_key("console"),
    )
    out = io.StringIO()
    console = ConsoleAdapter(layer, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    assert asyncio.run(run_forever([console])) == 0  # returns at end of input
    return out.getvalue()


def test_console_commands(sqlite_url: str) -> None:
    out = console_session(
        sqlite_url,
        [
            "/help",
            "/subscribe valley",
            "/digest",
            "/settings",
            "/set quotes off",
            "/addsource http://127.0.0.1/feed",
            "/schedule 9:00 Europe/Paris",
            "/pause",
            "/resume",
            "/unsubscribe",
            "/nonsense",
            "",
        ],
    )
    assert "Commands:" in out and "/admins list|add USER_ID|remove USER_ID" in out
    assert "Subscribed to stories about: valley" in out
    assert "1. Flood in the valley" in out and "Election results" not in out
    assert "Sources: Outlet 0 <https://outlet0.example/1>" in out
    assert "Keywords: valley" in out and "quotes is now off" in out
    # The console user owns the machine and is the admin, but unsafe sources are still refused.
    assert "Cannot add http://127.0.0.1/feed" in out
    assert "Digests at 09:00 (Europe/Paris)" in out and "Paused" in out and "Resumed" in out
    assert "Unsubscribed" in out and "Unknown command /nonsense" in out


def test_console_questions(sqlite_url: str) -> None:
    pytest.importorskip("bot.ask.service")
    out = console_session(sqlite_url, ["/digest", "/ask 1 What happened?", "What about the election?"])
    assert "/ask N QUESTION" in out and "Sorry" not in out  # answers (or honest refusals), no failures
    # story 1 as a whole: its lede, cited as the CLI cites it (outlet, link, snippet as it stands)
    assert "Story 1 happened. [1]" in out
    assert "  [1] Outlet 0 <https://outlet0.example/1>: Story 1 happened. More about story 1." in out


def test_run_once_without_tokens_prints_a_digest(sqlite_url: str) -> None:
    layer = CommandLayer(
        FixedNews([story(1, "Flood in the valley")]), ChatStore(open_store(sqlite_url)), b"k"
    )
    ingested: list[bool] = []
    out = io.StringIO()
    assert asyncio.run(run_once(layer, {}, ingest=lambda: ingested.append(True), out=out)) == 0
    assert ingested == [True] and "1. Flood in the valley" in out.getvalue()


def test_adapters_follow_tokens(sqlite_url: str) -> None:
    layer = CommandLayer(FixedNews([]), ChatStore(open_store(sqlite_url)), b"k")
    config = Config()
    assert chat_adapters(layer, config) == {}
    config.secrets = Secrets(telegram_bot_token="1:x", slack_bot_token="xoxb", slack_signing_secret="s")
    assert sorted(chat_adapters(layer, config)) == ["slack", "telegram"]
    config.output.adapters = ["console", "slack"]
    assert sorted(chat_adapters(layer, config)) == ["slack"]
    config.secrets = Secrets(slack_bot_token="xoxb")  # no signing secret, no app token: not runnable
    assert chat_adapters(layer, config) == {}


def test_run_is_a_cli_command() -> None:
    from bot.cli import build_parser  # imports every CLI command (and their dependencies)

    args = build_parser().parse_args(["run", "--once", "--db", "sqlite:///x.db"])
    assert args.once and args.db == "sqlite:///x.db"


@pytest.mark.model
def test_newsdigest_run_answers_on_the_seeds(tmp_path: Path) -> None:
    """As a new user would: no tokens, `newsdigest run`, /digest and /ask on the seeds."""
    pytest.importorskip("bot.ask.service")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SLACK_"))}
    env.update(HF_HUB_OFFLINE="1", NEWSDIGEST_DB_URL=f"sqlite:///{tmp_path / 'nd.db'}")
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", "--no-progress"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        input="/digest\n/ask 1 What happened?\n",
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1. " in proc.stdout and "Sources:" in proc.stdout
    assert "failed" not in proc.stdout
    assert "[1]" in proc.stdout and "  [1] " in proc.stdout  # the story's ledes, cited
