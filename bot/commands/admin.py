"""Commands for admins: sources, schedule, settings, pause/resume and the chat's admin list.

The layer lets only admins reach these (see `bot.commands.layer`); chat settings (schedule, set,
pause, resume) are also open to a user in their own private chat. Each change lands in the store
before the reply says it happened.
"""

from __future__ import annotations

import logging

from bot.commands import parsing
from bot.commands.context import Context, configured_admins
from bot.commands.core import Command, Reply
from bot.commands.urls import refuse_url

log = logging.getLogger(__name__)


def add_source(ctx: Context, new: parsing.NewSource) -> Reply:
    reason = refuse_url(new.url, ctx.config.fetch.allow_hosts)
    if reason:
        log.warning("refused /addsource %r from %s: %s", new.url, ctx.request.user_id, reason)
        return Reply.error(f"Cannot add {new.url}: {reason}.")
    source_id, added = ctx.store.add_source(new.url, new.name)
    if not added:
        return Reply(text=f"{new.url} is already source #{source_id}.")
    return Reply(text=f"Added source #{source_id}: {new.name + ' — ' if new.name else ''}{new.url}. "
                      "It is read at the next ingestion.")


def remove_source(ctx: Context, source_id: int) -> Reply:
    location = ctx.store.remove_source(source_id)
    if location is None:
        return Reply.error(f"There is no source #{source_id}; /sources lists them.")
    return Reply(text=f"Removed source #{source_id} ({location}); its articles stay.")


def schedule(ctx: Context, sched: parsing.Schedule) -> Reply:
    if not sched.times:
        ctx.store.update(ctx.request.chat, schedule=[])
        return Reply(text="Schedule cleared: no timed digests in this chat.")
    changes: dict[str, object] = {"schedule": list(sched.times)}
    if sched.timezone:
        changes["timezone"] = sched.timezone
    sub = ctx.store.update(ctx.request.chat, **changes)
    note = "" if sub.active else " Send /subscribe to start them."
    return Reply(text=f"Digests at {', '.join(sub.schedule)} ({sub.timezone}).{note}")


_SET_FIELDS = {"max_stories": "max_stories", "summary_length": "summary_chars", "quotes": "quotes",
               "keywords": "keywords"}


def set_(ctx: Context, setting: parsing.Setting) -> Reply:
    ctx.store.update(ctx.request.chat, **{_SET_FIELDS[setting.key]: setting.value})
    value = setting.value
    if isinstance(value, bool):
        shown = "on" if value else "off"
    elif isinstance(value, list):
        shown = ", ".join(value) or "none (all stories)"
    else:
        shown = str(value)
    return Reply(text=f"{setting.key} is now {shown}.")


def pause(ctx: Context, _: None) -> Reply:
    ctx.store.update(ctx.request.chat, paused=True)
    return Reply(text="Paused: no digests here until /resume.")


def resume(ctx: Context, _: None) -> Reply:
    sub = ctx.store.update(ctx.request.chat, paused=False)
    note = "" if sub.active else " This chat is not subscribed: send /subscribe."
    return Reply(text="Resumed." + note)


def admins(ctx: Context, action: parsing.AdminsAction) -> Reply:
    chat = ctx.request.chat
    if action.action == "list":
        lines = ["Admins of this chat:"]
        lines += [f"• {u} (configured)" for u in configured_admins(ctx.config, ctx.request.chat.platform)]
        lines += [f"• {u}" for u in ctx.store.admins(chat)]
        platform = {"telegram": "the group's administrators", "slack": "workspace admins"}.get(chat.platform)
        if platform:
            lines.append(f"…and {platform}.")
        return Reply(text="\n".join(lines))
    assert action.user_id is not None
    if action.action == "add":
        added = ctx.store.add_admin(chat, action.user_id, ctx.request.user_id)
        return Reply(text=f"{action.user_id} {'is now' if added else 'already was'} an admin of this chat.")
    if action.user_id in configured_admins(ctx.config, ctx.request.chat.platform):
        return Reply.error(f"{action.user_id} is configured as an admin; only the configuration can "
                           "change that.")
    if ctx.store.remove_admin(chat, action.user_id):
        return Reply(text=f"{action.user_id} is no longer an admin of this chat.")
    return Reply.error(f"{action.user_id} was not an admin added here.")


ADMIN_COMMANDS: tuple[Command, ...] = (
    Command("addsource", "/addsource URL [NAME]", "add a feed or page to read", add_source,
            parsing.new_source, permission="operator"),
    Command("removesource", "/removesource ID", "stop reading a source", remove_source, parsing.source_id,
            permission="operator"),
    Command("schedule", "/schedule HH:MM[,HH:MM…] [TIME_ZONE]", "when digests go out (or: off)", schedule,
            parsing.schedule, permission="manage"),
    Command("set", "/set KEY VALUE", "max_stories N, summary_length N, quotes on|off, keywords WORDS|none",
            set_, parsing.setting, permission="manage"),
    Command("pause", "/pause", "stop digests for now", pause, parsing.no_args, permission="manage"),
    Command("resume", "/resume", "start paused digests again", resume, parsing.no_args, permission="manage"),
    Command("admins", "/admins list|add USER_ID|remove USER_ID", "who may configure this chat", admins,
            parsing.admins, permission="admin"),
)
