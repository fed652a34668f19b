"""The staff desk's updates, wherever they come from: card buttons, extension decisions,
`/join`, `/pending` and `/ticket`.

A card button is pressed in a group, but a dialog continues in the presser's private chat:
that chat's state is read here (it is not the chat of the update).
"""

from __future__ import annotations

import logging

from workflow.chat import callbacks
from workflow.chat.messages import Incoming, Response
from workflow.chat.state import ChatState
from workflow.context import Context
from workflow.desk import actions, blocks, dialog, registry, staff, views
from workflow.errors import StaleButton
from workflow.model import StaffMember
from workflow.ports import UnitOfWork

log = logging.getLogger("zhiyong.desk")

DESK_COMMANDS = ("join", "pending", "ticket", *blocks.COMMANDS)


def claims(msg: Incoming, state: ChatState | None = None) -> bool:
    """Desk updates in any chat (groups included)."""
    if msg.kind == "command":
        return msg.command in DESK_COMMANDS
    return msg.kind == "button" and callbacks.kind_of(msg.data) in ("ticket", "extension")


async def handle(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                 resp: Response) -> None:
    if msg.kind == "command" and msg.command == "join":
        await staff.join(ctx, uow, msg, resp)
    elif msg.kind == "command" and msg.command == "pending":
        await views.pending(ctx, uow, msg, resp)
    elif msg.kind == "command" and msg.command in blocks.COMMANDS:
        await blocks.handle(ctx, uow, msg, resp)
    elif msg.kind == "command":
        await views.show_ticket(ctx, uow, msg, resp)
    else:
        member = await staff.require_member(uow, msg.sender, f"button {msg.data[:80]!r}")
        try:
            press = callbacks.parse(msg.data)
        except StaleButton:
            log.warning("refused forged/stale button %r from user %s", msg.data[:80],
                        member.telegram_id)
            raise
        if press.kind == "extension":
            await actions.decide_extension(ctx, uow, member, press.action, press.id,
                                           f"desk:{msg.update_id}", resp,
                                           (msg.chat_id, msg.message_id))
        else:
            await _ticket_button(ctx, uow, msg, state, member, press, resp)


async def _ticket_button(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                         member: StaffMember, press: callbacks.Press, resp: Response) -> None:
    """Person and ticket looked up again, then act at once or open the private dialog."""
    t = await registry.authorise(ctx, uow, member, press.action, press.id)
    entry = registry.spec(press.action)
    if not entry.dialog:
        said = await entry.perform(ctx, uow, member, t, f"desk:{msg.update_id}",
                                   registry.Input())
        resp.answer(entry.toast, **said)
        return
    private = state if state is not None and state.chat_id == member.telegram_id else None
    if private is None:
        private = ChatState.from_row(await uow.conversations.get(member.telegram_id),
                                     member.telegram_id)
    dialog.start(ctx, private, t, press.action, resp)
    if private is not state:
        private.updated_at = ctx.now()
        await uow.conversations.save(private.to_row())
    resp.answer("desk.continue_private", number=t.number)
