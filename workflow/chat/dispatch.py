"""One update in, one Response out: dedupe, read the chat's state once, route, save once.

The update-id record, the state change, every outbox row it causes, the chat's state and
the replies to the update commit in one transaction: a reply is an outbox row like any
notification, so a 429, a 5xx or a crash after the commit delays it but never loses it, and
it keeps its place in the chat's order. Only the answer to a pressed button (a toast that
Telegram expects within seconds) is left to the adapter. Routing is an ordered table: the
first entry whose predicate takes the update handles it. A UserError rolls the work back
and becomes the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from workflow.chat import answers, blocked, filing, flood, rating, relay, script
from workflow.chat.messages import Incoming, Response
from workflow.chat.state import ChatState, remembered_script
from workflow.context import Context
from workflow.desk import binding, dialog, router
from workflow.errors import UserError
from workflow.model import Conversation
from workflow.office import finding_dialog, screens, triage
from workflow.outbox import queue
from workflow.ports import UnitOfWork

log = logging.getLogger("zhiyong.dispatch")

Wants = Callable[[Incoming, ChatState | None], bool]
Handler = Callable[[Context, UnitOfWork, Incoming, ChatState, Response], Awaitable[None]]
GroupHandler = Callable[[Context, UnitOfWork, Incoming, ChatState | None, Response],
                        Awaitable[None]]


async def on_group(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                   resp: Response) -> None:
    """Groups: only commands get an answer; staff chatting among themselves is left alone."""
    if msg.kind == "command" and msg.command == "bind":
        await binding.bind(ctx, uow, msg, resp)
    elif msg.kind == "command" and msg.command in ("start", "help"):
        resp.say(msg.chat_id, "group.help")
    elif msg.kind == "command":
        resp.say(msg.chat_id, "error.unknown_command", command=msg.command)
    elif msg.kind == "button":
        resp.answer("error.stale_button", alert=True)


def _in_group(msg: Incoming, state: ChatState | None) -> bool:
    return not msg.is_private


def _anything(msg: Incoming, state: ChatState | None) -> bool:
    return True


ANYWHERE: list[tuple[Wants, GroupHandler]] = [
    (router.claims, router.handle),             # the staff desk, in groups and in private
    (screens.claims, screens.handle),           # the office's /stats and /officials
    (triage.claims, triage.handle),             # the office's triage card buttons
    (finding_dialog.claims, finding_dialog.start),  # /finding: the office's 调查核实
    (_in_group, on_group),
]
PRIVATE: list[tuple[Wants, Handler]] = [
    (rating.wants, rating.on_update),           # rating the answer, and the comment after it
    (relay.is_reply_button, relay.on_button),   # 回复 under a staff question
    (answers.is_choice, answers.on_choice),     # which one a held message meant
    (finding_dialog.wants, finding_dialog.on_input),  # the office's finding dialog
    (dialog.wants, dialog.on_input),            # a staff member's desk dialog
    (answers.is_swipe_reply, answers.on_input),  # a Telegram reply to a question answers it
    (relay.wants, relay.on_input),              # the reply to a staff question
    (dialog.is_stale_button, dialog.stale),     # a button of a dialog that already ended
    (answers.may_answer, answers.on_input),     # typed: an open question, or the filing
    (_anything, filing.on_update),              # everything else: filing a complaint
]


DESK_HANDLERS: tuple[object, ...] = (router.handle, dialog.on_input, dialog.stale,  # staff's side
                                     finding_dialog.start, finding_dialog.on_input)


async def handle(ctx: Context, msg: Incoming, claim_as: str = "") -> Response:
    """Handle an update exactly once; its state changes and its outbox rows commit together.

    `claim_as`: the adapter's reply sender, which then sends the replies itself right after
    the commit (`Response.claimed`), after its own earlier replies to the chat, unless the
    chat has something else earlier still to go.
    """
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
            if msg.is_private:   # the error is told in the script the chat already reads
                resp.script = remembered_script(await uow.conversations.get(msg.chat_id))
        await queue_replies(ctx, uow, msg, resp, claim_as)
        await uow.commit()
    return resp


async def queue_replies(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response,
                        claim_as: str = "") -> None:
    """The replies go out now, whatever the hour: the person is in the chat, waiting."""
    now = ctx.now()
    for out in resp.messages:
        if out.chat_id == msg.chat_id and msg.is_private and out.script is None:
            out.script = resp.script
    rows = [queue.row(ctx, out, f"reply:{msg.update_id}:{i}", None, "reply", now, now)
            for i, out in enumerate(resp.messages)]
    if claim_as:
        resp.claimed += await uow.outbox.add_replies(rows, claim_as, now)
    else:
        await uow.outbox.add_many(rows)


async def _route(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    resp = Response()
    state, maybe_blocked = None, False
    if msg.is_private:
        row, maybe_blocked = await uow.conversations.get_with_block(msg.chat_id)
        state = ChatState.from_row(row, msg.chat_id)
    before = _snapshot(state)
    handler = _pick(msg, state)
    if maybe_blocked and handler not in DESK_HANDLERS \
            and await blocked.turned_away(ctx, uow, msg, resp):
        return resp
    if state is not None and handler not in DESK_HANDLERS and flood.throttled(ctx, state, msg, resp):
        state.updated_at = ctx.now()
        await uow.conversations.save(state.to_row())
        return resp
    if state is not None and handler not in DESK_HANDLERS:
        state.script = script.observe(state.script, msg.text,
                                      msg.sender.language if msg.sender else "")
        # known either way: a reader not yet placed reads Simplified, and the sender need not
        # look the chat's script up again for these replies
        resp.script = state.script or script.SIMPLIFIED
    await handler(ctx, uow, msg, state, resp)
    if state is not None:
        row = state.to_row()
        if _written(row) != before:
            state.updated_at = row.updated_at = ctx.now()
            await uow.conversations.save(row)
    return resp


def _snapshot(state: ChatState | None) -> tuple[object, ...] | None:
    """What would be written: the state is saved only when the update changed it."""
    return None if state is None else _written(state.to_row())


def _written(row: Conversation) -> tuple[object, ...]:
    return row.state, row.token, row.draft


def _pick(msg: Incoming, state: ChatState | None) -> GroupHandler:
    for wants, handler in ANYWHERE:
        if wants(msg, state):
            return handler
    for wants_private, private in PRIVATE:
        if wants_private(msg, state):
            return private  # type: ignore[return-value]
    raise AssertionError("the last private route takes everything")


def _error_response(msg: Incoming, err: UserError) -> Response:
    resp = Response()
    if msg.kind == "button":
        resp.answer(err.key, alert=True, **err.params)
    else:
        resp.say(msg.chat_id, err.key, **err.params)
    return resp
