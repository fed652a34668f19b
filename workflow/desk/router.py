"""Which updates belong to the staff desk, and handing the rest of a private chat to filing.

Ticket buttons (`t:`), extension decisions (`x:`), `/join`, `/pending` and `/ticket` go to the
desk wherever they come from. In private chat an open desk dialog or a complainant's reply mode
takes text, files and /cancel first; everything else is the filing flow, and the dialog or
reply mode (its own draft key) is carried over whatever filing does to the draft.
"""

from __future__ import annotations

import logging

from workflow.chat import filing, relay
from workflow.chat.messages import Incoming, Response
from workflow.context import Context
from workflow.desk import actions, dialog, staff, views
from workflow.errors import StaleButton
from workflow.model import Conversation
from workflow.ports import UnitOfWork

log = logging.getLogger("zhiyong.desk")

DESK_COMMANDS = ("join", "pending", "ticket")
SIDE_KEYS = (dialog.DIALOG, relay.REPLY)


def claims(msg: Incoming) -> bool:
    """Desk updates in any chat (groups included)."""
    if msg.kind == "command":
        return msg.command in DESK_COMMANDS
    return msg.kind == "button" and msg.data[:2] in ("t:", "x:")


async def handle(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    resp = Response()
    if msg.kind == "command" and msg.command == "join":
        await staff.join(ctx, uow, msg, resp)
    elif msg.kind == "command" and msg.command == "pending":
        await views.pending(ctx, uow, msg, resp)
    elif msg.kind == "command":
        await views.show_ticket(ctx, uow, msg, resp)
    elif msg.data.startswith("x:"):
        member = await staff.require_member(uow, msg.sender, f"button {msg.data[:80]!r}")
        try:
            decision, request_id = actions.parse_extension_button(msg.data)
        except StaleButton:
            _forged(msg, member.telegram_id)
            raise
        await actions.decide_extension(ctx, uow, member, decision, request_id,
                                    f"desk:{msg.update_id}", resp)
    else:
        await ticket_button(ctx, uow, msg, resp)
    return resp


def _forged(msg: Incoming, user_id: int) -> None:
    log.warning("refused forged/stale button %r from user %s", msg.data[:80], user_id)


async def ticket_button(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    """A card button: person and ticket looked up again, then act or open the private dialog."""
    member = await staff.require_member(uow, msg.sender, f"button {msg.data[:80]!r}")
    try:
        action, ticket_id = actions.parse_ticket_button(msg.data)
    except StaleButton:
        _forged(msg, member.telegram_id)
        raise
    t = await actions.authorise(ctx, uow, member, action, ticket_id)
    key = f"desk:{msg.update_id}"
    if action == "sign":
        await actions.sign(ctx, uow, member, t, key, resp)
    elif action == "must":
        await actions.must_handle(ctx, uow, member, t, key, resp)
    else:
        conv = await uow.conversations.get(member.telegram_id) \
            or Conversation(chat_id=member.telegram_id)
        dialog.start(ctx, conv, t, action, resp)
        conv.updated_at = ctx.now()
        await uow.conversations.save(conv)
        resp.answer("desk.continue_private", number=t.number)


async def on_private(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    if claims(msg):
        return await handle(ctx, uow, msg)
    conv = await uow.conversations.get(msg.chat_id)
    if msg.kind == "button" and msg.data.startswith("q:"):
        return await _side(ctx, uow, conv, msg, relay.on_button)
    if dialog.active(conv) and dialog.wants(msg):
        return await _side(ctx, uow, conv, msg, dialog.on_input)
    if relay.active(conv) and relay.wants(msg):
        return await _side(ctx, uow, conv, msg, relay.on_input)
    if msg.kind == "button" and msg.data.startswith("d:"):
        raise StaleButton()   # a button of a dialog that already ended
    side = {k: conv.draft[k] for k in SIDE_KEYS if conv and k in conv.draft}
    resp = await filing.on_update(ctx, uow, msg)
    if side:
        after = await uow.conversations.get(msg.chat_id) or Conversation(chat_id=msg.chat_id)
        after.draft.update({k: v for k, v in side.items() if k not in after.draft})
        await uow.conversations.save(after)
    return resp


async def _side(ctx: Context, uow: UnitOfWork, conv: Conversation | None, msg: Incoming,
                handler: object) -> Response:
    conv = conv or Conversation(chat_id=msg.chat_id)
    resp = Response()
    await handler(ctx, uow, conv, msg, resp)  # type: ignore[operator]
    conv.updated_at = ctx.now()
    await uow.conversations.save(conv)
    return resp
