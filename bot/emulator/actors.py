"""The user side: citizens, staff and groups that send messages and press buttons.

Every user action in a chat first marks that chat (`emu.mark`), so the next `wait_for` on it
returns what the bot did in response to that action.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING, Any

from bot.emulator.chats import Chat, shallow
from bot.emulator.files import TINY_PNG
from bot.emulator.html import utf16_len
from bot.emulator.media import media_object, photo_sizes
from bot.emulator.records import CallbackAnswer, SentMessage

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator, Predicate

MessageRef = SentMessage | dict[str, Any] | int


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity at offset 0, as Telegram adds for "/cmd" and "/cmd@bot"."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    token = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]


class Group:
    """A group chat; users post in it with `user.send_in(group, ...)`."""

    def __init__(self, emu: BotApiEmulator, chat: Chat) -> None:
        self.emu = emu
        self.chat = chat
        self.id = chat.id
        self.title = chat.title

    def add_member(self, user: User, *, admin: bool = False) -> None:
        self.chat.members.add(user.id)
        if admin:
            self.chat.admins.add(user.id)

    async def add_bot(self, by: User) -> dict[str, Any]:
        """Deliver the my_chat_member update Telegram sends when someone adds the bot."""
        change = {"chat": self.chat.as_chat(), "from": by.info, "date": self.emu.now(),
                  "old_chat_member": {"status": "left", "user": self.emu.bot_user},
                  "new_chat_member": {"status": "member", "user": self.emu.bot_user}}
        self.chat.blocked = False
        return await self.emu.inject_raw({"my_chat_member": change})

    def sent(self) -> list[SentMessage]:
        return self.emu.sent(self.id)

    def mark(self) -> int:
        return self.emu.mark(self.id)

    async def wait_for(self, predicate: Predicate | None = None, *, timeout: float = 5.0,
                       after: int | None = None) -> SentMessage:
        return await self.emu.wait_for(self.id, predicate, timeout=timeout, after=after)


class User:
    """A Telegram user talking to the bot; `send*` default to the private chat."""

    def __init__(self, emu: BotApiEmulator, info: dict[str, Any]) -> None:
        self.emu = emu
        self.info = info
        self.id: int = info["id"]
        self.first_name: str = info["first_name"]
        self.username: str | None = info.get("username")

    # ---- messages --------------------------------------------------------------------------

    def _chat(self, chat: Group | Chat | int | None) -> Chat:
        chat_id = self.id if chat is None else chat if isinstance(chat, int) else chat.id
        found = self.emu.chat_for(chat_id)
        if found.type != "private":
            found.members.add(self.id)
        return found

    async def _post(self, chat: Group | Chat | int | None, content: dict[str, Any],
                    reply_to: MessageRef | None = None) -> dict[str, Any]:
        c = self._chat(chat)
        msg: dict[str, Any] = {"message_id": c.next_message_id(), "from": self.info,
                               "chat": c.as_chat(), "date": self.emu.now(), **content}
        if reply_to is not None:
            msg["reply_to_message"] = shallow(c.messages[_message_id(reply_to)])
        if c.type == "private":
            c.blocked = False  # writing to a blocked bot means restarting it first
        c.messages[msg["message_id"]] = msg
        self.emu.mark(c)
        await self.emu.inject_raw({"message": msg})
        return msg

    async def send(self, text: str, *, chat: Group | Chat | int | None = None,
                   reply_to: MessageRef | None = None) -> dict[str, Any]:
        """A text message (commands get their bot_command entity); returns the Message."""
        content: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return await self._post(chat, content, reply_to)

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The user edits an earlier text message: the bot gets an `edited_message` update."""
        c = self.emu.chat_for(message["chat"]["id"])
        edited = {k: v for k, v in c.messages[message["message_id"]].items() if k != "entities"}
        edited.update(text=text, edit_date=self.emu.now())
        if entities := command_entities(text):
            edited["entities"] = entities
        c.messages[edited["message_id"]] = edited
        self.emu.mark(c)
        await self.emu.inject_raw({"edited_message": edited})
        return edited

    async def send_in(self, chat: Group | Chat | int, text: str, **kw: Any) -> dict[str, Any]:
        """A text message in a group (or any chat)."""
        return await self.send(text, chat=chat, **kw)

    async def send_photo(self, caption: str | None = None, *, data: bytes = TINY_PNG,
                         width: int = 1280, height: int = 960,
                         chat: Group | Chat | int | None = None) -> dict[str, Any]:
        """A photo; its bytes are stored so the bot can getFile and download them."""
        stored = self.emu.files.add("photo", data, mime_type="image/jpeg")
        content: dict[str, Any] = {"photo": photo_sizes(self.emu.files, stored, width, height)}
        if caption:
            content["caption"] = caption
        return await self._post(chat, content)

    async def _send_file(self, kind: str, data: bytes, chat: Group | Chat | int | None,
                         caption: str | None = None, **kw: Any) -> dict[str, Any]:
        stored = self.emu.files.add(kind, data, file_name=kw.pop("file_name", None),
                                    mime_type=kw.pop("mime_type", None))
        content: dict[str, Any] = {kind: media_object(kind, stored, **kw)}
        if caption:
            content["caption"] = caption
        return await self._post(chat, content)

    async def send_document(self, file_name: str = "scan.pdf", caption: str | None = None, *,
                            data: bytes = b"%PDF-1.4\n%emulated\n", mime_type: str | None = None,
                            chat: Group | Chat | int | None = None) -> dict[str, Any]:
        mime = mime_type or ("application/pdf" if file_name.endswith(".pdf") else None)
        return await self._send_file("document", data, chat, caption, file_name=file_name,
                                     mime_type=mime)

    async def send_sticker(self, emoji: str = "👍", *,
                           chat: Group | Chat | int | None = None) -> dict[str, Any]:
        return await self._send_file("sticker", b"RIFF....WEBP", chat, emoji=emoji,
                                     mime_type="image/webp")

    async def send_voice(self, duration: int = 3, *, data: bytes = b"OggS\x00emulated",
                         chat: Group | Chat | int | None = None) -> dict[str, Any]:
        return await self._send_file("voice", data, chat, duration=duration)

    async def send_video_note(self, duration: int = 5, *,
                              chat: Group | Chat | int | None = None) -> dict[str, Any]:
        return await self._send_file("video_note", b"\x00\x00\x00\x18ftypmp42", chat,
                                     duration=duration)

    async def send_location(self, latitude: float, longitude: float, *,
                            chat: Group | Chat | int | None = None,
                            reply_to: MessageRef | None = None) -> dict[str, Any]:
        return await self._post(chat, {"location": {"latitude": latitude,
                                                    "longitude": longitude}}, reply_to)

    async def send_poll(self, question: str, options: list[str], *,
                        chat: Group | Chat | int | None = None) -> dict[str, Any]:
        poll = {"id": str(secrets.randbits(60)), "question": question,
                "options": [{"text": o, "voter_count": 0, "persistent_id": str(i)}
                            for i, o in enumerate(options)],
                "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                "type": "regular", "allows_multiple_answers": False,
                "allows_revoting": True, "members_only": False}
        return await self._post(chat, {"poll": poll})

    async def send_contact(self, phone_number: str, first_name: str | None = None, *,
                           own: bool = True,
                           chat: Group | Chat | int | None = None) -> dict[str, Any]:
        """A contact; `own=True` (what a request_contact button shares) sets user_id."""
        contact: dict[str, Any] = {"phone_number": phone_number,
                                   "first_name": first_name or self.first_name}
        if own:
            contact["user_id"] = self.id
        return await self._post(chat, {"contact": contact})

    async def tap(self, label: str, *, phone_number: str = "+8613800000000",
                  chat: Group | Chat | int | None = None) -> dict[str, Any]:
        """Press a button of the reply keyboard the bot last showed in the chat.

        A one-time keyboard stays usable (clients only hide it) until the bot replaces or
        removes it.
        """
        c = self._chat(chat)
        rows = (c.reply_keyboard or {}).get("keyboard") or []
        buttons = [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]
        button = next((b for b in buttons if b["text"] == label), None)
        if button is None:
            raise ValueError(f"no reply button {label!r}; keyboard: {[b['text'] for b in buttons]}")
        if button.get("request_contact"):
            return await self.send_contact(phone_number, own=True, chat=c.id)
        if button.get("request_location"):
            return await self.send_location(39.9042, 116.4074, chat=c.id)
        return await self.send(label, chat=c.id)

    # ---- callback buttons ------------------------------------------------------------------

    async def press(self, message: SentMessage | dict[str, Any], data: str | None = None, *,
                    text: str | None = None, timeout: float = 5.0,
                    forge: bool = False) -> CallbackAnswer | None:
        """Press an inline button (by callback `data` or label `text`) of a bot message.

        Waits until the bot answers the callback query and returns the answer, or None after
        `timeout`. Only buttons present on the message's current keyboard can be pressed unless
        `forge=True` (a tampered client).
        """
        chat_id = message.chat_id if isinstance(message, SentMessage) else message["chat"]["id"]
        chat = self.emu.chat_for(chat_id)
        current = chat.bot_message(_message_id(message), "message not found")
        if data is None:
            if text is None:
                raise ValueError("press needs callback data or a button text")
            data = current.button(text)["callback_data"]
        if not forge and data not in current.callback_data:
            raise ValueError(f"no button with data {data!r}; buttons: {current.callback_data}")
        query_id = str(secrets.randbits(63))
        answered: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        self.emu.pending_queries[query_id] = answered
        query = {"id": query_id, "from": self.info, "message": chat.messages[current.message_id],
                 "chat_instance": chat.chat_instance, "data": data}
        self.emu.mark(chat)
        await self.emu.inject_raw({"callback_query": query})
        try:
            return await asyncio.wait_for(asyncio.shield(answered), timeout)
        except TimeoutError:
            return None

    # ---- shortcuts -------------------------------------------------------------------------

    def block(self) -> None:
        """Block the bot silently (sends → 403); see `block_bot` for the update too."""
        self.emu.block(self.id)

    async def block_bot(self) -> dict[str, Any]:
        """Block the bot as a client does: 403 from now on, and a my_chat_member update."""
        self.emu.block(self.id)
        chat = self.emu.chat_for(self.id)
        change = {"chat": chat.as_chat(), "from": self.info, "date": self.emu.now(),
                  "old_chat_member": {"status": "member", "user": self.emu.bot_user},
                  "new_chat_member": {"status": "kicked", "user": self.emu.bot_user,
                                      "until_date": 0}}
        return await self.emu.inject_raw({"my_chat_member": change})

    def unblock(self) -> None:
        self.emu.unblock(self.id)

    def sent(self) -> list[SentMessage]:
        """What the bot did in this user's private chat."""
        return self.emu.sent(self.id)

    async def wait_for(self, predicate: Predicate | None = None, *, timeout: float = 5.0,
                       after: int | None = None) -> SentMessage:
        """Next bot action in the private chat (see BotApiEmulator.wait_for)."""
        return await self.emu.wait_for(self.id, predicate, timeout=timeout, after=after)


def _message_id(ref: MessageRef) -> int:
    if isinstance(ref, SentMessage):
        return ref.message_id
    if isinstance(ref, dict):
        return int(ref["message_id"])
    return int(ref)
