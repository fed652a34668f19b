"""Drives the staff desk through workflow.chat.dispatch the way an adapter would, on the real database.

A fake transport delivers the outbox rows of this test's chats (real Renderer, so tests read
what a user would read) and records message ids, so cards are edited in place as with Telegram.
Rows are read straight from the table rather than claimed: a bot from the e2e tests may be
polling the same database, and its sender must not steal these rows from the assertions.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select, update

from bot.app import App
from bot.render import Rendered
from storage.tables import OutboxRow
from workflow.chat import dispatch
from workflow.chat.messages import Incoming, Outgoing, Response, Sender, from_payload
from workflow.context import Context
from workflow.desk.staff import create_staff_invite
from workflow.model import GroupBinding, InviteCode

_updates = itertools.count(3 * 10**9)
_message_ids = itertools.count(1000)
COMPLAINT = "小区物业把消防通道锁了三个月，多次向住建局反映，工作人员一直推诿说不归他们管。"


def desk_context(app: App) -> Context:
    """The application's own context: the real classifier routes COMPLAINT to housing."""
    return app.ctx


@dataclass
class Delivered:
    out: Outgoing
    parts: list[Rendered]
    message_id: int

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.parts)


class FakeTransport:
    def __init__(self, app: App) -> None:
        self.app = app
        self.by_chat: dict[int, list[Delivered]] = defaultdict(list)

    async def send(self, out: Outgoing) -> int | None:
        parts = self.app.renderer.render(out)
        mid = out.edit_message_id or next(_message_ids)
        self.by_chat[out.chat_id].append(Delivered(out, parts, mid))
        return mid


class Desk:
    """One test's world: groups bound to departments, people, and the outbox delivered."""

    def __init__(self, app: App, ctx: Context, new_id: Callable[[], int]) -> None:
        self.app, self.ctx, self.new_id = app, ctx, new_id
        self.transport = FakeTransport(app)
        self.groups: dict[str, int] = {}
        self.chats: set[int] = set()
        self.seen: set[int] = set()

    async def bind(self, *departments: str) -> None:
        async with self.ctx.uow() as uow:
            for d in departments:
                chat = -self.new_id()
                self.groups[d] = chat
                self.chats.add(chat)
                await uow.bindings.bind(GroupBinding(department=d, chat_id=chat,
                                                     bound_at=self.ctx.now(), bound_by=1))
            await uow.commit()

    async def deliver(self) -> None:
        """Send every queued row of this test's chats, in order, and record its message id."""
        async with self.ctx.uow() as uow:
            s = uow.session  # type: ignore[attr-defined]
            rows = list(await s.exec(select(OutboxRow).where(col(OutboxRow.chat_id).in_(self.chats))
                                     .order_by(col(OutboxRow.id))))
            for row in rows:
                if row.id in self.seen:
                    continue
                self.seen.add(row.id)
                mid = await self.transport.send(from_payload(row.chat_id, row.payload))
                await s.exec(update(OutboxRow).where(col(OutboxRow.id) == row.id)
                             .values(status="sent", message_id=mid))
            await uow.commit()

    def inbox(self, chat_id: int) -> list[Delivered]:
        return self.transport.by_chat[chat_id]

    def keys(self, chat_id: int) -> list[str]:
        return [d.out.key for d in self.inbox(chat_id)]

    async def person(self, name: str, department: str | None = None, role: str = "staff"
                     ) -> Person:
        p = Person(self, self.new_id(), name)
        if department is not None or role in ("supervisor", "admin"):
            invite = await create_staff_invite(self.ctx, department, role)
            resp = await p.command("join", invite.code)
            assert resp.messages[0].key == "staff.joined", resp
        return p

    async def expired_invite(self, department: str) -> str:
        now = self.ctx.now()
        code = f"EXP{self.new_id()}"[:10]
        async with self.ctx.uow() as uow:
            await uow.invites.add(InviteCode(code=code, purpose="staff", department=department,
                                             role="staff", created_at=now - timedelta(days=3),
                                             expires_at=now - timedelta(days=2)))
            await uow.commit()
        return code


class Person:
    """Anyone: a citizen in private chat, or staff in private chat and in groups."""

    def __init__(self, desk: Desk, user_id: int, name: str, username: str = "",
                 phone: str = "") -> None:
        self.desk, self.id, self.name = desk, user_id, name
        desk.chats.add(user_id)
        self.username, self.phone = username or f"user{user_id}", phone
        self.last = Response()

    async def send(self, chat: int | None = None, **fields: object) -> Response:
        chat_id = self.id if chat is None else chat
        msg = Incoming(update_id=next(_updates), chat_id=chat_id,
                       chat_type="private" if chat_id == self.id else "supergroup",
                       sender=Sender(self.id, self.name, username=self.username, language="zh"),
                       **fields)  # type: ignore[arg-type]
        self.last = await dispatch.handle(self.desk.ctx, msg)
        return self.last

    async def command(self, name: str, args: str = "", chat: int | None = None) -> Response:
        return await self.send(chat, kind="command", command=name, args=args,
                               text=f"/{name} {args}".strip())

    async def text(self, text: str) -> Response:
        return await self.send(kind="text", text=text)

    async def photo(self, file_id: str, caption: str = "") -> Response:
        return await self.send(kind="photo", file_id=file_id, text=caption)

    async def press(self, data: str, chat: int | None = None) -> Response:
        return await self.send(chat, kind="button", data=data)

    async def press_key(self, key: str, value: str = "") -> Response:
        """Press the button with template `key` (and params value) in my last reply."""
        for out in reversed(self.last.messages):
            for row in out.buttons + out.keyboard:
                for b in row:
                    if b.key == key and (not value or value in b.params.values()):
                        return await self.press(b.data)
        raise AssertionError(f"no button {key} in {[m.key for m in self.last.messages]}")

    def keys(self) -> list[str]:
        return [m.key for m in self.last.messages]

    async def file(self, real_name: bool = False, again: bool = False) -> str:
        """File a complaint (anonymous unless real_name) and return its number; `again`: the
        same complaint once more, filed as new when the bot offers to add it to the first."""
        await self.command("start")
        await self.press_key("btn.file")
        await self.text(COMPLAINT)
        await self.photo(f"evidence-{self.id}", "现场照片")
        await self.press_key("btn.done")
        await self.text("某某物业公司")
        if real_name:
            await self.send(kind="contact", contact_phone=self.phone, contact_user_id=self.id)
        else:
            await self.press_key("btn.anonymous")
        await self.press_key("btn.submit")
        if again:
            assert self.keys() == ["file.duplicate"], self.keys()
            await self.press_key("btn.file_anyway")
        out = self.last.messages[-1]
        assert out.key == "file.submitted", self.keys()
        return str(out.params["number"])
