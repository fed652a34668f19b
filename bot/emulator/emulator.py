"""BotApiEmulator: the emulated server's state, its lifecycle, and the test-side inspection API."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.emulator.actors import Group, User
from bot.emulator.chats import Chat, not_found
from bot.emulator.faults import Fault, Faults, Status
from bot.emulator.files import FileStore
from bot.emulator.params import required
from bot.emulator.records import ApiCall, CallbackAnswer, SentMessage
from bot.emulator.server import ApiServer
from bot.emulator.updates import UpdateQueue
from bot.emulator.webhook import WebhookPusher, WebhookTarget

log = logging.getLogger("zhiyong.emulator")
ChatRef = int | Chat | Any  # anything with an int `.id` (User, Group) works too
Predicate = Callable[[SentMessage], bool]


def _chat_id(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else int(chat.id)


class BotApiEmulator:
    """An in-process Telegram Bot API server for one bot token. See the package docstring."""

    def __init__(self, token: str = "123456:TEST", *, username: str = "zhiyong_bot",
                 first_name: str = "治庸", host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.time, first_update_id: int = 1) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {"id": int(token.split(":", 1)[0]), "is_bot": True,
                                         "first_name": first_name, "username": username}
        self.host, self.port = host, port
        self.clock = clock
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files = FileStore()
        self.queue = UpdateQueue(first_update_id)
        self.faults = Faults()
        self.requests: list[ApiCall] = []
        self.answers: list[CallbackAnswer] = []
        self.pending_queries: dict[str, asyncio.Future[CallbackAnswer]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: WebhookTarget | None = None   # set by setWebhook; see webhook.py
        self.webhook_retry_seconds = 0.2
        self._pusher: WebhookPusher | None = None
        self._listeners: list[Callable[[SentMessage], None]] = []
        # called with every non-empty getUpdates batch, before the bot receives it
        self.fetch_listeners: list[Callable[[list[dict[str, Any]]], None]] = []
        self._changed: dict[int, asyncio.Event] = {}  # per chat, replaced after each set
        self._seq = 0
        self._server = ApiServer(self)
        self._runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        """Listen on host:port (port 0 picks a free one); `api_url` is valid afterwards."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._runner = web.AppRunner(self._server.app(), handle_signals=False,
                                     shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Release long-polls and held requests at once, then close the server."""
        self._server.stopping.set()
        await self.set_webhook("", "", 40)
        await self.queue.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """Base URL: PTB uses f"{api_url}/bot", aiogram TelegramAPIServer.from_base(api_url)."""
        return f"http://{self.host}:{self.port}"

    @property
    def webhook_url(self) -> str:
        return self.webhook.url if self.webhook is not None else ""

    async def set_webhook(self, url: str, secret: str, max_connections: int) -> None:
        """Push updates to `url` from now on ("" stops pushing: getUpdates works again).

        What was handed out but not confirmed (by getUpdates or a push) is pending again."""
        if self._pusher is not None:
            await self._pusher.stop()
            self._pusher = None
        self.queue.requeue_undelivered()
        self.webhook = WebhookTarget(url, secret, max_connections) if url else None
        if self.webhook is not None:
            self._pusher = WebhookPusher(self.webhook, self.queue, self.webhook_retry_seconds)
            self._pusher.start()

    # ---- actors ----------------------------------------------------------------------------

    def user(self, user_id: int, first_name: str, *, username: str | None = None,
             last_name: str | None = None, language_code: str | None = None) -> User:
        """A citizen or staff member; creates their private chat (chat id == user id)."""
        info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        info.update({k: v for k, v in (("last_name", last_name), ("username", username),
                                       ("language_code", language_code)) if v})
        self.users[user_id] = info
        self.chats.setdefault(user_id, Chat(user_id, "private", first_name=first_name,
                                            last_name=last_name, username=username))
        return User(self, info)

    def group(self, chat_id: int, title: str, *, type: str | None = None,
              admins: tuple[int, ...] = (), username: str | None = None) -> Group:
        """A group chat the bot is a member of; type defaults from the id (-100… supergroup)."""
        kind = type or ("supergroup" if chat_id <= -1_000_000_000_000 else "group")
        chat = self.chats.setdefault(chat_id, Chat(chat_id, kind, title=title, username=username))
        chat.admins.update(admins)
        chat.members.update(admins)
        return Group(self, chat)

    def user_dict(self, user_id: int) -> dict[str, Any]:
        if user_id == self.bot_user["id"]:
            return self.bot_user
        return self.users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "?"}

    # ---- used by the bot methods -----------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def chat_for(self, chat_id: Any) -> Chat:
        """A known chat by id or "@username", or 400 chat not found."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            found = [c for c in self.chats.values() if c.username == chat_id[1:]]
            if found:
                return found[0]
            raise not_found()
        try:
            return self.chats[int(chat_id)]
        except (KeyError, ValueError, TypeError):
            raise not_found() from None

    def reachable_chat(self, params: dict[str, Any]) -> Chat:
        chat = self.chat_for(required(params, "chat_id"))
        chat.ensure_reachable()
        return chat

    def record(self, chat: Chat, sent: SentMessage) -> None:
        """Log a bot action, make it the message's current state, wake waiters, tell listeners."""
        self._seq += 1
        sent.seq = self._seq
        chat.log.append(sent)
        chat.bot_messages[sent.message_id] = sent
        for listener in self._listeners:
            try:
                listener(sent)
            except Exception:  # a broken printer must not fail the bot's API call
                log.exception("on_sent listener failed")
        waiting = self._changed.pop(chat.id, None)   # wake only this chat's waiters
        if waiting is not None:
            waiting.set()

    # ---- inspection ------------------------------------------------------------------------

    def sent(self, chat: ChatRef) -> list[SentMessage]:
        """Every bot action in the chat (sends, edits, deletes), oldest first."""
        c = self.chats.get(_chat_id(chat))
        return list(c.log) if c else []

    def last(self, chat: ChatRef) -> SentMessage | None:
        """The latest bot action in the chat, if any."""
        log_ = self.sent(chat)
        return log_[-1] if log_ else None

    def message(self, chat: ChatRef, message_id: int) -> SentMessage:
        """Current state of one bot message (with `history` of earlier versions)."""
        return self.chat_for(_chat_id(chat)).bot_messages[message_id]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Logged bot requests, optionally for one method (case-insensitive)."""
        return [c for c in self.requests if method is None or c.method.lower() == method.lower()]

    def on_sent(self, listener: Callable[[SentMessage], None]) -> None:
        """Call `listener` for every bot action (used by `zhiyong demo` to print)."""
        self._listeners.append(listener)

    def mark(self, chat: ChatRef) -> int:
        """Move the chat's cursor to now: `wait_for` then only sees later bot actions."""
        c = self.chat_for(_chat_id(chat))
        c.cursor = len(c.log)
        return c.cursor

    async def wait_for(self, chat: ChatRef, predicate: Predicate | None = None, *,
                       timeout: float = 5.0, after: int | None = None) -> SentMessage:
        """The first bot action at/after the cursor (or `after`) matching `predicate`.

        Without `after`, the chat's cursor advances past the returned entry, so successive
        calls walk through the conversation. Raises TimeoutError listing what was seen.
        """
        c = self.chat_for(_chat_id(chat))
        start = c.cursor if after is None else after
        try:
            async with asyncio.timeout(timeout):
                while (index := self._find(c, start, predicate)) is None:
                    await self._changed.setdefault(c.id, asyncio.Event()).wait()
        except TimeoutError:
            seen = [(m.method, m.plain) for m in c.log[start:]]
            raise TimeoutError(f"no matching bot message in chat {c.id} within {timeout}s; "
                               f"seen since cursor: {seen}") from None
        if after is None:
            c.cursor = index + 1
        return c.log[index]

    @staticmethod
    def _find(chat: Chat, start: int, predicate: Predicate | None) -> int | None:
        for i in range(start, len(chat.log)):
            if predicate is None or predicate(chat.log[i]):
                return i
        return None

    # ---- control ---------------------------------------------------------------------------

    def block(self, chat: ChatRef) -> None:
        """The user blocks the bot (or the group removes it): sends answer 403 from now on."""
        self.chat_for(_chat_id(chat)).blocked = True

    def unblock(self, chat: ChatRef) -> None:
        self.chat_for(_chat_id(chat)).blocked = False

    def fail(self, method: str | None = None, status: Status = 500, *, times: int | None = None,
             until: Callable[[], bool] | None = None, retry_after: int | None = None,
             description: str | None = None, chat_id: int | None = None, hold: float = 60.0,
             executed: bool = False) -> Fault:
        """Make `method` (None: any) fail with `status` (int or "timeout").

        Fires `times` times (default 1, or unlimited while `until()` is false when given).
        """
        if times is None and until is None:
            times = 1
        return self.faults.add(Fault(method, status, times, until, retry_after, description,
                                     chat_id, hold, executed))

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Every update ever queued for the bot, in order."""
        return list(self.queue.history)

    async def inject_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update as is (update_id kept when present: redelivery)."""
        return await self.queue.put(dict(update))
