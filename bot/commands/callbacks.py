"""Button payloads: short, signed, bound to one chat, so a forged or replayed press is recognised.

Telegram allows 64 bytes of callback data; `b:<action>:<record id>:<mac>` stays far below it. The MAC
covers the chat, so a payload copied into another chat fails as surely as an invented one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from bot.commands.core import ChatRef

ACTIONS = {"s": "sources", "a": "ask", "m": "mute"}
CODES = {v: k for k, v in ACTIONS.items()}
PREFIX = "b"


@dataclass(frozen=True)
class Press:
    action: str
    record_id: int


class BadCallback(ValueError):
    """Callback data that we did not sign for this chat."""


def _mac(key: bytes, chat: ChatRef, body: str) -> str:
    msg = f"{chat.platform}|{chat.chat_id}|{chat.thread_id}|{body}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, msg, hashlib.sha256).digest()[:9]).decode()


def encode(key: bytes, chat: ChatRef, action: str, record_id: int) -> str:
    body = f"{PREFIX}:{CODES[action]}:{record_id}"
    return f"{body}:{_mac(key, chat, body)}"


def decode(key: bytes, chat: ChatRef, data: str) -> Press:
    """The press a payload stands for; `BadCallback` when it is malformed or not signed for this chat."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in ACTIONS or not parts[2].isdigit():
        raise BadCallback("malformed")
    body = ":".join(parts[:3])
    if not hmac.compare_digest(parts[3], _mac(key, chat, body)):
        raise BadCallback("bad signature")
    return Press(action=ACTIONS[parts[1]], record_id=int(parts[2]))
