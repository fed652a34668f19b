"""One update in, one Response out: dedupe, pick the audience, turn user errors into replies."""

from __future__ import annotations

import logging

from workflow.chat.messages import Incoming, Response
from workflow.context import Context
from workflow.desk import binding, router
from workflow.errors import UserError
from workflow.ports import UnitOfWork
from workflow.tickets import rating

log = logging.getLogger("zhiyong.dispatch")


async def handle(ctx: Context, msg: Incoming) -> Response:
    """Handle an update exactly once; its state changes and its outbox rows commit together."""
    async with ctx.uow() as uow:
        if not await uow.updates.first_time(msg.update_id, ctx.now()):
            log.info("update %s already handled; ignored", msg.update_id)
            return Response()
        try:
            resp = await _route(ctx, uow, msg)
        except UserError as err:
            await uow.rollback()
            await uow.updates.first_time(msg.update_id, ctx.now())
            resp = _error_response(msg, err)
        await uow.commit()
    return resp


def _error_response(msg: Incoming, err: UserError) -> Response:
    resp = Response()
    if msg.kind == "button":
        resp.answer(err.key, alert=True, **err.params)
    else:
        resp.say(msg.chat_id, err.key, **err.params)
    return resp


async def _route(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    if msg.is_private and await rating.wants(uow, msg):   # issue 5: rating the answer
        return await rating.on_update(ctx, uow, msg)
    if msg.is_private:   # issue 4: desk dialogs and complainant replies first, then filing
        return await router.on_private(ctx, uow, msg)
    if router.claims(msg):   # issue 4: the staff desk in groups
        return await router.handle(ctx, uow, msg)
    return await on_group(ctx, uow, msg)


async def on_group(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    """Groups: only commands get an answer; staff chatting among themselves is left alone."""
    resp = Response()
    if msg.kind == "command" and msg.command == "bind":
        await binding.bind(ctx, uow, msg, resp)
    elif msg.kind == "command" and msg.command in ("start", "help"):
        resp.say(msg.chat_id, "group.help")
    elif msg.kind == "command":
        resp.say(msg.chat_id, "error.unknown_command", command=msg.command)
    elif msg.kind == "button":
        resp.answer("error.stale_button", alert=True)
    return resp
