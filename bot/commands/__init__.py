"""The platform-neutral command layer: commands defined once, adapters only translate."""

from bot.commands.core import AdminCheck, ChatRef, Command, NewsService, Reply, Request, UsageError
from bot.commands.layer import DEFAULT_COMMANDS, CommandLayer, callback_key
from bot.commands.state import ChatStore, Subscription

__all__ = ["DEFAULT_COMMANDS", "AdminCheck", "ChatRef", "ChatStore", "Command", "CommandLayer", "NewsService",
           "Reply", "Request", "Subscription", "UsageError", "callback_key"]
