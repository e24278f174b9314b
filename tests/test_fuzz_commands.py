"""Property-based fuzzing of the config file and of every chat command's arguments.

Arbitrary TOML gives a `Config` or a one-line `ConfigError` naming the key; arbitrary arguments give a
parsed value or a `UsageError`, and no user text is ever compiled as a regular expression.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.commands.core import UsageError
from bot.commands.layer import DEFAULT_COMMANDS
from bot.commands.parsing import split_command
from bot.config import Config, ConfigError, load_config
from tests.conftest import REPO
from tests.test_fuzz_inputs import ANY_TEXT, one_line

# --- configuration -------------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
            if not math.isfinite(value)
            else repr(value)
        )
    if isinstance(value, int | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)  # a JSON string is a TOML basic string


def _toml(doc: dict[str, Any]) -> str:
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for section, table in ((k, v) for k, v in doc.items() if isinstance(v, dict)):
        lines.append(f"[{json.dumps(section)}]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


_SECTIONS = {
    name: list(field.annotation.model_fields)
    for name, field in Config.model_fields.items()
    if isinstance(field.annotation, type) and hasattr(field.annotation, "model_fields")
}
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    ANY_TEXT.map(lambda t: t[:30]),
    st.dates(),
    st.sampled_from(
        [
            "sqlite:///x.db",
            "postgresql+psycopg://u@h/d",
            "mysql://x",
            "telegram",
            "console",
            "onnx",
            "openai",
            "transformers",
        ]
    ),
)
_VALUES = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=3), st.dictionaries(st.text(max_size=4), _SCALARS, max_size=2)
)


@st.composite
def config_documents(draw: st.DrawFn) -> str:
    doc: dict[str, Any] = {}
    for section in draw(st.lists(st.sampled_from([*_SECTIONS, "secrets", "nonsense", "a\nb"]), max_size=4)):
        keys = [*_SECTIONS.get(section, []), "bogus", "x\ty"]
        doc[section] = draw(st.dictionaries(st.sampled_from(keys), _VALUES, max_size=4))
    if draw(st.booleans()):
        doc[draw(st.sampled_from([*_SECTIONS, "top"]))] = draw(_SCALARS)
    text = _toml(doc)
    if draw(st.integers(0, 9)) == 0:  # now and then, broken TOML
        text = text[: draw(st.integers(0, len(text)))] + draw(st.sampled_from(["[", "=", '"', "\x00", "]]"]))
    return text


@given(st.one_of(config_documents(), ANY_TEXT), st.sampled_from([None, "sqlite:///flag.db"]), st.booleans())
@example("store = 5\n", "sqlite:///flag.db", False)
@example('workers = "x"\n', None, True)
@example('["a\\nb"]\nx = 1\n', None, False)
def test_config_is_valid_orone_line_config_error_naming_the_key(
    text: str, db_url: str | None, env: bool
) -> None:
    overrides = (
        {"NEWSDIGEST_REDIS_URL": "redis://127.0.0.1:1/0", "NEWSDIGEST_TELEGRAM_BASE_URL": "http://x"}
        if env
        else {}
    )
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, overrides):
        path = Path(tmp, "config.toml")
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            config = load_config(path, db_url=db_url)
        except ConfigError as exc:
            message = str(exc)
            one_line(message)
            assert message.startswith(f"config file {path}: ")
            where = message.removeprefix(f"config file {path}: ")
            if not where.startswith(("invalid TOML", "cannot be read")):
                key = where.split(":", 1)[0]  # the dotted key comes first
                assert key.split(".")[0] in {re.sub(r"\s+", " ", k) for k in _top_keys(text)}, message
            return
    assert isinstance(config, Config)
    if db_url:
        assert config.store.url == db_url


def _top_keys(text: str) -> set[str]:
    return set(tomllib.loads(text))


# --- chat command arguments -----------------------------------------------------------------------------

_ARG_PIECES = [
    "08:30",
    "8:5",
    "24:00",
    "23:59",
    ",",
    " ",
    "off",
    "Europe/Berlin",
    "America",
    "../../etc/passwd",
    "UTC",
    "a" * 300,
    "add",
    "remove",
    "list",
    "<@U123ABC|bob>",
    "<@U1>",
    "12345",
    "max_stories",
    "summary-length",
    "quotes",
    "keywords",
    "none",
    "on",
    "²",
    "١٢",
    "٣",
    "9" * 30,
    "9" * 5000,
    "-1",
    "https://example.org/rss",
    "http://127.0.0.1/",
    "<https://x.example>",
    "(a+)+$",
    "[",
    "\\",
    "\n",
    "\u00a0",
    "\x00",
    "８",
]
_ARGS = st.one_of(
    ANY_TEXT,
    st.lists(st.sampled_from(_ARG_PIECES), max_size=6).map("".join),
    st.lists(st.sampled_from(_ARG_PIECES), max_size=4).map(" ".join),
)
_COMMANDS = {c.name: c for c in DEFAULT_COMMANDS}


def _source_literals() -> set[str]:
    """Every string literal of the command modules: the only regex patterns parsing may compile."""
    found: set[str] = set()
    for path in (REPO / "bot" / "commands").glob("*.py"):
        found |= {
            n.value
            for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
    return found


_LITERALS = _source_literals()


@given(st.sampled_from(sorted(_COMMANDS)), _ARGS)
@example("removesource", "²")
@example("storysources", "9" * 5000)
@example("set", "max_stories ²")
@example("schedule", "08:00 America")
@example("schedule", "08:00 " + "a" * 300)
@example("schedule", "8:3٠")
def test_every_command_parses_or_raises_usage_error(name: str, args: str) -> None:
    compiled: list[Any] = []
    real_compile: Callable[..., Any] = re._compile  # type: ignore[attr-defined]

    def spy(pattern: Any, flags: Any) -> Any:
        compiled.append(pattern)
        return real_compile(pattern, flags)

    with mock.patch.object(re, "_compile", spy):
        try:
            parsed = _COMMANDS[name].parse(args)
        except UsageError as exc:
            one_line(str(exc))
            parsed = None
    # user text is never compiled as a pattern: only the module's own literals are
    assert all(not isinstance(p, str) or p in _LITERALS for p in compiled), compiled
    if parsed is None:
        return
    if name == "schedule":
        assert all(re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", t) for t in parsed.times), parsed
    if name in ("removesource", "storysources", "askabout", "mute"):
        assert isinstance(parsed, int) and 0 <= parsed < 10**18


@given(
    st.one_of(
        ANY_TEXT, _ARGS.map(lambda a: "/" + a), st.sampled_from(["/ask@bot hi", "/ASK@Other x", "/@", "/"])
    ),
    st.one_of(st.none(), st.sampled_from(["bot", "Bot", ""])),
)
def test_split_command_never_raises(text: str, bot: str | None) -> None:
    found = split_command(text, bot)
    if found is not None:
        name, args = found
        assert name and name == name.lower() and args == args.strip()


@pytest.mark.parametrize("args", ["²", "9" * 5000, "-1", "1.5"])
def test_number_arguments_are_decimal_digits(args: str) -> None:
    for name in ("removesource", "storysources"):
        with pytest.raises(UsageError):
            _COMMANDS[name].parse(args)
        assert _COMMANDS[name].parse(" ١٢ ") == 12
