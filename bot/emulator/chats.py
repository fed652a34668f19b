"""Chats the emulated server knows: their Telegram shape, messages and what the bot sent."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.errors import ApiError, bad_request, forbidden
from bot.emulator.records import SentMessage


@dataclass
class Chat:
    """A private chat (id == user id) or a group. Messages share one id counter per chat."""

    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    blocked: bool = False  # private: the user blocked the bot; group: the bot was removed
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # message_id → Message
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)  # current state
    log: list[SentMessage] = field(default_factory=list)  # every bot action, in order
    cursor: int = 0  # index into log used by wait_for when no explicit `after`
    reply_keyboard: dict[str, Any] | None = None  # last ReplyKeyboardMarkup the bot showed
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))
    _last_id: int = 0

    def next_message_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def as_chat(self) -> dict[str, Any]:
        """The Chat object embedded in messages."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.first_name or ""
            if self.last_name:
                out["last_name"] = self.last_name
        else:
            out["title"] = self.title or ""
        if self.username:
            out["username"] = self.username
        return out

    def as_full_info(self) -> dict[str, Any]:
        """The ChatFullInfo getChat returns (with the fields clients require)."""
        gifts = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                 "premium_subscription": False, "gifts_from_channels": False}
        return {**self.as_chat(), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}

    def ensure_reachable(self) -> None:
        """Telegram's 403s for a bot that may no longer write here."""
        if not self.blocked:
            return
        if self.type == "private":
            raise forbidden("bot was blocked by the user")
        raise forbidden(f"bot was kicked from the {self.type} chat")

    def bot_message(self, message_id: int, missing: str) -> SentMessage:
        """A live bot message, or 400 `missing` (e.g. 'message to edit not found')."""
        msg = self.bot_messages.get(message_id)
        if msg is None or msg.deleted:
            if message_id in self.messages and missing == "message to edit not found":
                raise bad_request("message can't be edited")
            raise bad_request(missing)
        return msg

    def member_status(self, user_id: int, bot_id: int) -> str:
        if self.type == "private":
            return "member"
        if user_id == bot_id:
            return "kicked" if self.blocked else "administrator"
        if user_id in self.admins:
            return "administrator"
        return "member" if user_id in self.members else "left"


def not_found() -> ApiError:
    return bad_request("chat not found")


def shallow(message: dict[str, Any]) -> dict[str, Any]:
    """A message as embedded in reply_to_message: Telegram does not nest replies further."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}
