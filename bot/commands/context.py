"""What a handler gets: the request, the façade, the chat store, the config and the command list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.commands.core import Command, NewsService, Request
from bot.commands.state import ChatStore
from bot.config import Config


@dataclass(frozen=True)
class Context:
    request: Request
    news: NewsService
    store: ChatStore
    commands: Sequence[Command]
    is_admin: bool

    @property
    def config(self) -> Config:
        return self.news.config


def configured_admins(config: Config, platform: str) -> list[str]:
    """Admin user ids from the config (`[telegram] admin_ids`, `[slack] admin_ids`), as strings."""
    section = config.telegram if platform == "telegram" else config.slack if platform == "slack" else None
    return [str(a) for a in section.admin_ids] if section is not None else []


def is_operator(config: Config, platform: str, user_id: str) -> bool:
    """Who may change what every chat shares (sources): configured admin ids, or the local console."""
    return platform == "console" or user_id in configured_admins(config, platform)
