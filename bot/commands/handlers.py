"""Commands for everyone: subscribing, digests, questions, sources, settings, and the story buttons.

Each handler takes a `Context` and its parsed arguments and returns a `Reply` as data; it never
formats for a platform and never checks permissions (the layer did, before calling it).
"""

from __future__ import annotations

from datetime import timedelta

from bot.commands import parsing
from bot.commands.context import Context
from bot.commands.core import Command, Reply, SourceLink
from bot.commands.selection import digests_for
from bot.commands.state import SentStory
from bot.storage.models import utcnow

# Buttons older than this no longer act: the story has moved on and its record may be pruned.
BUTTON_LIFETIME = timedelta(days=30)


def start(ctx: Context, _: None) -> Reply:
    sub = ctx.store.subscription(ctx.request.chat)
    state = "This chat is subscribed." if sub.active else "Send /subscribe to get digests here."
    return Reply(text="Hello! I send digests of the news: each story summarised from several outlets, "
                      "with its quotes and sources, and I answer questions about them.\n"
                      f"{state} /digest shows the latest stories now, /ask QUESTION asks about them, "
                      "/help lists every command.")


_CHAT_SETTINGS = ("schedule", "set", "pause", "resume")


def help_(ctx: Context, name: str) -> Reply:
    wanted = name.strip().lstrip("/").lower()
    if wanted:
        for cmd in ctx.commands:
            if wanted in (cmd.name, *cmd.aliases):
                who = " (admins)" if cmd.permission == "admin" or cmd.name in _CHAT_SETTINGS else ""
                return Reply(text=f"{cmd.usage}{who}\n{cmd.help}")
        return Reply.error(f"There is no command /{wanted}. Send /help for the list.")
    lines = ["Commands:"]
    lines += [f"{c.usage} — {c.help}" for c in ctx.commands if not c.hidden and c.permission != "admin"
              and c.name not in _CHAT_SETTINGS]
    lines.append("")
    lines.append("For admins (in a private chat, the settings are yours to change):")
    lines += [f"{c.usage} — {c.help}" for c in ctx.commands if not c.hidden
              and (c.permission == "admin" or c.name in _CHAT_SETTINGS)]
    return Reply(text="\n".join(lines))


def subscribe(ctx: Context, words: list[str] | None) -> Reply:
    sub = ctx.store.subscribe(ctx.request.chat, words)
    what = f"stories about: {', '.join(sub.keywords)}" if sub.keywords else "all stories"
    when = (f"at {', '.join(sub.schedule)} ({sub.timezone})" if sub.schedule
            else "whenever a digest goes out")
    paused = " Deliveries are paused; /resume starts them again." if sub.paused else ""
    return Reply(text=f"Subscribed to {what}, {when}.{paused}")


def unsubscribe(ctx: Context, _: None) -> Reply:
    if ctx.store.set_active(ctx.request.chat, False, reason="unsubscribed"):
        return Reply(text="Unsubscribed. /subscribe starts again.")
    return Reply(text="This chat was not subscribed.")


def digest(ctx: Context, _: None) -> Reply:
    sub = ctx.store.subscription(ctx.request.chat)
    digests = digests_for(ctx.news, ctx.store, sub)
    if not digests:
        return Reply(text="Nothing new" + (" about your keywords." if sub.keywords else "."))
    return Reply(kind="digest", digests=tuple(digests))


def ask(ctx: Context, question: str) -> Reply:
    answer = ctx.news.ask(question, ctx.request.story_id)
    return Reply(kind="answer", answer=answer)


def sources(ctx: Context, _: None) -> Reply:
    configured = list(ctx.config.sources.locations)
    stored = ctx.store.sources()
    if not configured and not stored:
        return Reply(text="No sources yet. Admins add them with /addsource URL [name].")
    lines = ["Sources:"]
    lines += [f"• {loc} (from the configuration)" for loc in configured]
    lines += [f"• #{sid} {name + ' — ' if name else ''}{loc}" for sid, loc, name in stored]
    if stored:
        lines.append("Admins remove a numbered source with /removesource ID.")
    return Reply(text="\n".join(lines))


def settings(ctx: Context, _: None) -> Reply:
    sub = ctx.store.subscription(ctx.request.chat)
    d = ctx.config.digest
    state = ("subscribed" if sub.active else
             f"not subscribed ({sub.deactivated_reason})" if sub.deactivated_reason else "not subscribed")
    lines = [
        f"Subscription: {state}{', paused' if sub.paused else ''}",
        f"Keywords: {', '.join(sub.keywords) or 'none (all stories)'}",
        f"Schedule: {', '.join(sub.schedule) + ' ' + sub.timezone if sub.schedule else 'not set'}",
        f"max_stories: {sub.max_stories or d.max_stories}",
        f"summary_length: {sub.summary_chars or d.max_chars}",
        f"quotes: {'on' if (d.quotes if sub.quotes is None else sub.quotes) else 'off'}",
        f"Muted stories: {len(ctx.store.muted(sub.chat))}",
    ]
    return Reply(text="\n".join(lines))


# Story buttons. They arrive as hidden commands whose argument is the sent-story record id; the layer
# already checked the signature, these check that the record is this chat's and still fresh.

def _record(ctx: Context, record_id: int) -> SentStory | Reply:
    record = ctx.store.sent_story(record_id)
    here = ctx.request.chat
    if record is None or (record.chat.platform, record.chat.chat_id, record.chat.thread_id) != (
            here.platform, here.chat_id, here.thread_id):
        return Reply.error("That button is not valid here.")
    created = record.created if record.created.tzinfo else record.created.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - created > BUTTON_LIFETIME:
        return Reply.error("That story is too old; send /digest for the latest.")
    return record


def story_sources(ctx: Context, record_id: int) -> Reply:
    record = _record(ctx, record_id)
    if isinstance(record, Reply):
        return record
    links = tuple(SourceLink(outlet=str(s.get("outlet") or "source"), url=s.get("url"))
                  for s in record.sources)
    return Reply(text=f"Sources of “{record.headline}”:", links=links, headline=record.headline)


def ask_prompt(ctx: Context, record_id: int) -> Reply:
    record = _record(ctx, record_id)
    if isinstance(record, Reply):
        return record
    return Reply(kind="prompt", text=f"Reply to this message with your question about “{record.headline}”.",
                 prompt_story=record.story_id, headline=record.headline)


def mute(ctx: Context, record_id: int) -> Reply:
    record = _record(ctx, record_id)
    if isinstance(record, Reply):
        return record
    if ctx.store.mute(ctx.request.chat, record.story_id, ctx.request.user_id):
        return Reply(text=f"Muted “{record.headline}”: no more updates of it here.")
    return Reply(text=f"“{record.headline}” was already muted.")


USER_COMMANDS: tuple[Command, ...] = (
    Command("start", "/start", "what this bot does", start, parsing.no_args),
    Command("help", "/help [COMMAND]", "the commands, or one command's usage", help_),
    Command("subscribe", "/subscribe [KEYWORDS]", "get digests in this chat (only stories with a keyword)",
            subscribe, parsing.optional_keywords, permission="manage"),
    Command("unsubscribe", "/unsubscribe", "stop digests in this chat", unsubscribe, parsing.no_args,
            permission="manage"),
    Command("digest", "/digest", "the latest digest now", digest, parsing.no_args),
    Command("ask", "/ask QUESTION", "ask about the news (reply to a story to ask about that story)", ask,
            parsing.question),
    Command("sources", "/sources", "where the news comes from", sources, parsing.no_args),
    Command("settings", "/settings", "this chat's subscription and settings", settings, parsing.no_args),
    Command("storysources", "/storysources N", "the outlets of a story", story_sources, parsing.story_ref,
            hidden=True),
    Command("askabout", "/askabout N", "ask about a story", ask_prompt, parsing.story_ref, hidden=True),
    Command("mute", "/mute N", "no more updates of a story here", mute, parsing.story_ref,
            permission="manage", hidden=True),
)
