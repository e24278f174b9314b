"""The console adapter: commands from stdin, replies and digests on stdout, for local use and demos.

It makes `newsdigest run` useful on a fresh machine with no tokens. The person at the terminal owns
the machine, so they are the admin. Follow-ups: `/ask N QUESTION` asks about story N of the last
digest shown.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.adapters.base import Adapter
from bot.commands.core import ChatRef, Reply, Request
from bot.commands.layer import CommandLayer
from bot.commands.parsing import split_command
from bot.render import render_answer, render_text

CONSOLE = ChatRef("console", "console", "private", "", "console")


class ConsoleAdapter(Adapter):
    platform = "console"

    def __init__(self, layer: CommandLayer, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 prompt: bool = True) -> None:
        super().__init__(layer)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.prompt = prompt and self.stdin.isatty()
        self._task: asyncio.Task[None] | None = None
        self._stories: list[str] = []

    async def _always_admin(self, chat: ChatRef, user_id: str) -> bool:
        return True

    def _print(self, text: str) -> None:
        self.stdout.write(text.rstrip("\n") + "\n")
        self.stdout.flush()

    async def start(self) -> None:
        self._print("newsdigest console: type /help for commands, /digest for the news, Ctrl-D to quit.")
        self._task = asyncio.create_task(self._loop())

    async def wait(self) -> None:
        if self._task is not None:
            await self._task

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def handle_line(self, line: str) -> None:
        """One input line: a command, or (without a slash) a question about the news."""
        line = line.strip()
        if not line:
            return
        parsed = split_command(line) or ("ask", line)
        command, args = parsed
        story = None
        if command == "ask":
            head, _, rest = args.partition(" ")
            if head.isdigit() and 1 <= int(head) <= len(self._stories) and rest.strip():
                story, args = self._stories[int(head) - 1], rest
        request = Request(chat=CONSOLE, user_id="console", command=command, args=args, story_id=story)
        reply = await self.layer.handle(request, self._always_admin)
        await self.send_reply(CONSOLE, reply)

    async def _loop(self) -> None:
        while True:
            if self.prompt:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                return
            await self.handle_line(line)

    async def send_reply(self, chat: ChatRef, reply: Reply) -> None:
        if reply.digests:
            self._stories = [d.story_id for d in reply.digests]
            for d in reply.digests:
                await asyncio.to_thread(self.layer.store.record_story, chat, d)
            self._print(render_text(reply.digests))
            self._print("(/ask N QUESTION asks about story N)")
        elif reply.answer is not None:
            self._print(render_answer(reply.answer))
        elif reply.links:
            self._print("\n".join([reply.text] + [f"  {s.outlet}" + (f" <{s.url}>" if s.url else "")
                                                  for s in reply.links]))
        else:
            self._print(reply.text)
