"""The platform-neutral vocabulary of the chat layer: who asked where, what they asked, what we answer.

Adapters turn platform updates into a `Request` and render a `Reply`; nothing in here knows about
Telegram or Slack, so a new platform is one adapter module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.config import Config
from summarizer.types import Answer, StoryDigest

ChatKind = Literal["private", "group", "channel"]
Permission = Literal["everyone", "manage", "admin", "operator"]
ReplyKind = Literal["text", "digest", "answer", "prompt", "error"]


class NewsService(Protocol):
    """What the commands need from the application façade (`bot.service.Newsroom`)."""

    config: Config

    def latest_digests(self, limit: int | None = None, keywords: Sequence[str] = ()) -> list[StoryDigest]: ...

    def ask(self, question: str, story_id: str | None = None) -> Answer: ...


@dataclass(frozen=True)
class ChatRef:
    """Where a request came from and where its reply goes (`thread_id`: a Telegram forum topic)."""

    platform: str
    chat_id: str
    kind: ChatKind = "private"
    thread_id: str = ""
    title: str | None = None


@dataclass(frozen=True)
class Request:
    """One command as typed (or pressed) by a user, already stripped of platform syntax."""

    chat: ChatRef
    user_id: str
    command: str
    args: str = ""
    user_name: str | None = None
    # The story a reply or thread is about (a follow-up question), resolved by the adapter.
    story_id: str | None = None


@dataclass(frozen=True)
class SourceLink:
    outlet: str
    url: str | None


@dataclass(frozen=True)
class Reply:
    """A reply as data; adapters escape every string in it for their platform.

    `digests` are story digests to post (one message each, with buttons); `answer` a grounded answer;
    `links` a list of outlets with links; `prompt_story` asks the user to reply with a question about
    that story (the Ask button).
    """

    text: str = ""
    kind: ReplyKind = "text"
    digests: tuple[StoryDigest, ...] = ()
    answer: Answer | None = None
    links: tuple[SourceLink, ...] = ()
    prompt_story: str | None = None
    headline: str | None = None

    @classmethod
    def error(cls, text: str) -> Reply:
        return cls(text=text, kind="error")


class UsageError(ValueError):
    """Arguments that do not fit a command; the layer answers with the command's usage line."""


# An adapter's way to ask the platform whether a user administers a chat (Bot API, users.info).
AdminCheck = Callable[[ChatRef, str], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    """One command, defined once: name, help, who may run it, how its arguments parse, what it does."""

    name: str
    usage: str
    help: str
    handler: Callable[[Any, Any], Reply]
    parse: Callable[[str], Any] = field(default=lambda text: text.strip())
    permission: Permission = "everyone"
    hidden: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def admin_only(self) -> bool:
        return self.permission in ("admin", "operator")
