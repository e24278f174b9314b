"""Local files and directories: .txt, .md, .html/.htm, and .json/.jsonl article records.

Encodings are detected (charset-normalizer) rather than assumed; binary, empty and undecodable files
are reported as one `ItemError` each and the rest of the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from bot.ingestion.base import ItemError, RawItem, TextFormat

FORMATS: dict[str, TextFormat] = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                                  ".html": "html", ".htm": "html"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson"}
RECORD_FIELDS = {"id", "title", "text", "outlet", "url", "published", "date", "language"}
MAX_FILE_BYTES = 50_000_000


def read_text_file(path: Path) -> str:
    """Decode a file, detecting its encoding; raise ValueError naming why it is not text."""
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file over {MAX_FILE_BYTES} bytes")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise ValueError("not text in any known encoding") from None
        return str(best)


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 dates and datetimes, `YYYY/MM/DD`, or epoch seconds; naive values are UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError):
            raise ValueError(f"timestamp {value!r} out of range") from None
    text = str(value).strip().replace("/", "-")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def record_to_item(record: Any, origin: str) -> RawItem:
    """A JSON record with `id, title, text, outlet, url, published`; other fields become metadata."""
    if not isinstance(record, dict):
        raise ValueError("record is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("record has no text")
    rid = record.get("id")
    try:
        published = parse_datetime(record.get("published", record.get("date")))
    except ValueError:
        raise ValueError(f"bad published date {record.get('published', record.get('date'))!r}") from None
    return RawItem(
        text=text,
        format="text",
        id=str(rid) if rid not in (None, "") else None,
        title=_opt_str(record.get("title")),
        outlet=_opt_str(record.get("outlet")),
        url=_opt_str(record.get("url")),
        published=published,
        language=_opt_str(record.get("language")),
        origin=origin,
        metadata={k: v for k, v in record.items() if k not in RECORD_FIELDS},
    )


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class FileSource:
    """A file or a directory (walked recursively, in name order) of articles."""

    kind = "file"

    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.path = Path(location)

    def files(self) -> list[Path]:
        if self.path.is_dir():
            wanted = set(FORMATS) | RECORD_SUFFIXES
            return sorted(p for p in self.path.rglob("*")
                          if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith("."))
        return [self.path]

    def items(self) -> Iterator[RawItem | ItemError]:
        if not self.path.exists():
            yield ItemError(self.location, "no such file or directory")
            return
        for path in self.files():
            yield from self._file_items(path)

    def _file_items(self, path: Path) -> Iterator[RawItem | ItemError]:
        suffix = path.suffix.lower()
        if suffix not in FORMATS and suffix not in RECORD_SUFFIXES:
            yield ItemError(str(path), f"unsupported file type {suffix or '(none)'}")
            return
        try:
            text = read_text_file(path)
        except (OSError, ValueError) as exc:
            yield ItemError(str(path), str(exc) if isinstance(exc, ValueError) else exc.strerror or str(exc))
            return
        if suffix in RECORD_SUFFIXES:
            yield from _records(path, text, suffix)
        else:
            yield RawItem(text=text, format=FORMATS[suffix], id=path.stem, origin=str(path.resolve()),
                          metadata={"path": str(path)})


def _records(path: Path, text: str, suffix: str) -> Iterator[RawItem | ItemError]:
    if suffix == ".json":
        try:
            data = _load_json(text, at_line=True)
        except ValueError as exc:
            yield ItemError(str(path), str(exc))
            return
        if isinstance(data, dict) and isinstance(data.get("articles"), list):
            data = data["articles"]
        records = data if isinstance(data, list) else [data]
        lines: list[tuple[int, Any, str | None]] = [(i + 1, r, None) for i, r in enumerate(records)]
        where = "record"
    else:
        lines = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                lines.append((n, _load_json(line, at_line=False), None))
            except ValueError as exc:
                lines.append((n, None, str(exc)))
        where = "line"
    for n, record, error in lines:
        name = f"{path}:{where} {n}"
        if error:
            yield ItemError(name, error)
            continue
        try:
            yield record_to_item(record, origin=f"{path.resolve()}#{n}")
        except ValueError as exc:
            yield ItemError(name, str(exc))


def _load_json(text: str, *, at_line: bool) -> Any:
    """`json.loads`, every failure a ValueError with a one-line reason: deep nesting and numbers past
    Python's digit limit raise other errors than JSONDecodeError, and one file must not stop a batch."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg}{f' at line {exc.lineno}' if at_line else ''})") from None
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise ValueError(f"invalid JSON ({' '.join(str(exc).split())[:120]})") from None
