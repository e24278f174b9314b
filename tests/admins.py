"""Chat set-ups for the security and permission tests: configured admins, and the command layer over a
real store."""

from __future__ import annotations

from typing import Any

from test_commands import FixedNews

from bot.commands.layer import CommandLayer, callback_key
from bot.commands.state import ChatStore
from bot.config import Config
from bot.storage.db import open_store


def admin_config(**sections: Any) -> Config:
    """A config whose configured admins are Telegram user 5 and Slack user UADMIN."""
    data: dict[str, Any] = {"telegram": {"admin_ids": ["5"]}, "slack": {"admin_ids": ["UADMIN"]}}
    data.update(sections)
    return Config.model_validate(data)


def layer_for(url: str, news: FixedNews) -> CommandLayer:
    return CommandLayer(news, ChatStore(open_store(url)), callback_key("security-test"))
