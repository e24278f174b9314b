"""The command layer: look a command up, parse its arguments, check permission, run it off the loop.

Typed commands, button presses and follow-up replies all come through `CommandLayer.handle`, so the
same permission rule applies however a user reached a command. Refusals say why and are logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence

from bot.commands import callbacks
from bot.commands.admin import ADMIN_COMMANDS
from bot.commands.context import Context, configured_admins, is_operator
from bot.commands.core import AdminCheck, ChatRef, Command, NewsService, Reply, Request, UsageError
from bot.commands.handlers import USER_COMMANDS
from bot.commands.state import ChatStore

log = logging.getLogger(__name__)

_REFUSALS = {
    "admin": "only admins can change this chat's configuration",
    "manage": "in a group only admins change the chat's subscription and settings",
    "operator": "only the bot's configured admins (admin_ids) change the sources all chats share",
}

DEFAULT_COMMANDS: tuple[Command, ...] = USER_COMMANDS + ADMIN_COMMANDS
PRESS_COMMANDS = {"sources": "storysources", "ask": "askabout", "mute": "mute"}


def callback_key(*secrets: str | None) -> bytes:
    """A signing key for buttons that survives restarts: derived from the platform secrets."""
    material = "|".join(s for s in secrets if s) or "newsdigest-local"
    return hashlib.sha256(b"newsdigest-buttons|" + material.encode()).digest()


class CommandLayer:
    """Every command, defined once; adapters call `handle` and `press` and render the `Reply`."""

    def __init__(self, news: NewsService, store: ChatStore, key: bytes,
                 commands: Sequence[Command] = DEFAULT_COMMANDS) -> None:
        self.news = news
        self.store = store
        self.key = key
        self.commands = tuple(commands)
        self._by_name = {n: c for c in self.commands for n in (c.name, *c.aliases)}

    def find(self, name: str) -> Command | None:
        return self._by_name.get(name.lower())

    def public_commands(self) -> list[Command]:
        return [c for c in self.commands if not c.hidden]

    async def is_admin(self, chat: ChatRef, user_id: str, platform_check: AdminCheck | None) -> bool:
        """Configured admin ids, admins added in this chat, then the platform (group admins, owners)."""
        if user_id in configured_admins(self.news.config, chat.platform):
            return True
        if user_id in await asyncio.to_thread(self.store.admins, chat):
            return True
        if platform_check is None:
            return False
        try:
            return await platform_check(chat, user_id)
        except Exception:  # the platform being unreachable must not grant anything
            log.exception("admin check failed for %s in %s:%s", user_id, chat.platform, chat.chat_id)
            return False

    async def handle(self, request: Request, platform_check: AdminCheck | None = None) -> Reply:
        cmd = self.find(request.command)
        if cmd is None:
            return Reply.error(f"Unknown command /{request.command}. Send /help for the list.")
        try:
            args = cmd.parse(request.args)
        except UsageError as exc:
            return Reply.error(f"Usage: {cmd.usage} ({exc})")
        admin = False
        if cmd.permission != "everyone":
            admin = await self.is_admin(request.chat, request.user_id, platform_check)
            allowed = admin or (cmd.permission == "manage" and request.chat.kind == "private")
            if cmd.permission == "operator":
                # Sources are shared by every chat the bot serves: a group's own admins don't own them.
                allowed = is_operator(self.news.config, request.chat.platform, request.user_id)
            if not allowed:
                why = _REFUSALS[cmd.permission]
                log.warning("refused /%s for user %s in %s:%s: %s", cmd.name, request.user_id,
                            request.chat.platform, request.chat.chat_id, why)
                return Reply.error(f"Sorry, /{cmd.name} is refused: {why}.")
        ctx = Context(request=request, news=self.news, store=self.store, commands=self.commands,
                      is_admin=admin)
        try:
            return await asyncio.to_thread(cmd.handler, ctx, args)
        except Exception:
            log.exception("/%s failed in %s:%s", cmd.name, request.chat.platform, request.chat.chat_id)
            return Reply.error(f"Sorry, /{cmd.name} failed; the error was logged.")

    def button(self, chat: ChatRef, action: str, record_id: int) -> str:
        """Signed callback data for a story button."""
        return callbacks.encode(self.key, chat, action, record_id)

    async def press(self, chat: ChatRef, user_id: str, data: str, platform_check: AdminCheck | None = None,
                    user_name: str | None = None) -> Reply:
        """A button press: verified, then run as the matching command with the same permission rules."""
        try:
            press = callbacks.decode(self.key, chat, data)
        except callbacks.BadCallback as exc:
            log.warning("rejected button data from %s in %s:%s: %s", user_id, chat.platform, chat.chat_id,
                        exc)
            return Reply.error("This button is no longer valid.")
        request = Request(chat=chat, user_id=user_id, user_name=user_name,
                          command=PRESS_COMMANDS[press.action], args=str(press.record_id))
        return await self.handle(request, platform_check)
