"""The ticket card in a department group: built in one place, queued, re-rendered in place.

Buttons carry `t:<action>:<ticket_id>` only; what an action may do is decided again on the
server when it is pressed (workflow.desk.actions), so the buttons are a convenience, not a
permission. A card is edited in place (outbox row with edit_message_id) when its message id
is known. The card never says anything about who complained.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from workflow.chat.evidence import map_link
from workflow.chat.messages import CARD_KINDS, Button, Media, Outgoing, to_payload
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.model import Attachment, Ticket, TicketEvent, TicketState
from workflow.outbox.queue import enqueue, json_safe
from workflow.ports import UnitOfWork
from workflow.taxonomy import CATEGORIES, TRIAGE
from workflow.tickets.routing import group_of

EDIT_TEXT_CHARS = 2500      # leaves room for the card's other lines within Telegram's 4096
ROUTABLE = (TicketState.ROUTED, TicketState.TRIAGE)   # the office may still choose a department

_DEPARTMENT_ACTIONS: dict[str, list[list[str]]] = {
    TicketState.ROUTED: [["sign", "return"], ["transfer", "note"]],
    TicketState.SIGNED: [["ask", "answer"], ["extend", "note"], ["return", "transfer"]],
    TicketState.REOPENED: [["ask", "answer"], ["extend", "note"]],
    TicketState.ANSWERED: [["note"]],
}
_OFFICE_ACTIONS: dict[str, list[list[str]]] = {     # 改派 / 责令 are the triage rows
    TicketState.ROUTED: [["sign", "note"]],
    TicketState.TRIAGE: [["note"]],
    TicketState.SIGNED: [["ask", "answer"], ["extend", "note"]],
    TicketState.REOPENED: [["ask", "answer"], ["extend", "note"]],
    TicketState.ANSWERED: [["note"]],
}


def buttons(ctx: Context, t: Ticket, returned_from: str | None = None) -> list[list[Button]]:
    """The actions that make sense in the ticket's state, for the group it is shown in; the
    office's card also carries the triage choices (department, 责令, category)."""
    from workflow.chat import callbacks
    if t.id is None:
        return []
    table = _OFFICE_ACTIONS if t.department == TRIAGE else _DEPARTMENT_ACTIONS
    rows = triage_rows(ctx, t, returned_from) if t.department == TRIAGE else []
    for row in table.get(t.state, []):
        keep = [a for a in row if a != "transfer" or ctx.desk.allow_direct_transfer]
        if keep:
            rows.append([Button(f"btn.desk.{a}", callbacks.ticket(a, t.id)) for a in keep])
    return rows + (category_rows(t) if t.department == TRIAGE else [])


def triage_rows(ctx: Context, t: Ticket, returned_from: str | None) -> list[list[Button]]:
    """Every department but the office and the one that returned it; 责令 that one instead."""
    from workflow.chat import callbacks
    if t.id is None or t.state not in ROUTABLE:
        return []
    choices = [d for d in ctx.departments if d not in (TRIAGE, returned_from)]
    dept = [Button("btn.office.department", callbacks.triage("department", t.id, d),
                   params={"department": d}) for d in choices]
    rows = [dept[i:i + 3] for i in range(0, len(dept), 3)]
    if returned_from:
        rows.append([Button("btn.office.must", callbacks.triage("must", t.id),
                            params={"department": returned_from})])
    return rows


def category_rows(t: Ticket) -> list[list[Button]]:
    """The office confirms or corrects the category (不能为 … 一般诉求)."""
    from workflow.chat import callbacks
    if t.id is None:
        return []
    cats = [Button("btn.office.category", callbacks.triage("category", t.id, c),
                   params={"category": c}) for c in CATEGORIES]
    return [cats[:3], cats[3:]]


async def build(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int,
                files: list[Attachment] | None = None) -> Outgoing:
    """The card: the complaint, every deadline, the accountable person, the action buttons.
    `files`: the ticket's attachments, when the caller has read them already."""
    assert t.id is not None
    if files is None:
        files = await uow.attachments.for_ticket(t.id)
    out = Outgoing(chat_id=chat_id, key="card.ticket", params={
        "number": t.number, "category": t.category, "department": t.department,
        "urgent": t.urgent, "text": t.text, "accused": t.accused, "state": t.state,
        **_evidence(files),
        "note": t.routing_note, "tags": t.tags, "created_at": t.created_at,
        "anonymous": t.anonymous, **schedule.deadlines_of(ctx, t)})
    if t.department == TRIAGE:
        out.params.update(await returned(uow, t))
        out.params["triage"] = t.state in ROUTABLE
    if t.department == TRIAGE or await department_of_chat(ctx, uow, chat_id) == TRIAGE:
        out.params.update(await confirmed_category(uow, t))
    if t.signed_by is not None:
        member = await uow.staff.by_telegram_id(t.signed_by)
        out.params["accountable"] = member.display_name if member else str(t.signed_by)
        out.params["signed_at"] = t.signed_at
    out.buttons = buttons(ctx, t, out.params.get("returned_from") or None)
    return out


async def confirmed_category(uow: UnitOfWork, t: Ticket) -> dict[str, Any]:
    """The office's own label, and who gave it, shown on the office's card."""
    assert t.id is not None
    labels = [c for c in await uow.corrections.for_ticket(t.id) if c.field == "category"]
    if not labels:
        routed = [e for e in await uow.events.for_ticket(t.id) if e.kind == "routed"]
        return {"unconfirmed": bool(routed and routed[0].detail.get("category_unconfirmed"))}
    member = await uow.staff.by_telegram_id(labels[-1].by)
    return {"category": labels[-1].new,
            "confirmed_by": member.display_name if member else str(labels[-1].by)}


async def returned(uow: UnitOfWork, t: Ticket) -> dict[str, Any]:
    """Who returned a ticket to the office, when and why (the office decides on it)."""
    last = await last_return(uow, t)
    if last is None:
        return {}
    return {"returned_from": str(last.detail.get("from", "")),
            "returned_by": str(last.detail.get("name", "")), "returned_at": last.at,
            "returned_reason_code": str(last.detail.get("reason_code", "")),
            "returned_reason": str(last.detail.get("reason", ""))}


async def last_return(uow: UnitOfWork, t: Ticket, department: str | None = None
                      ) -> TicketEvent | None:
    """The latest 退回 of the ticket (by `department`, if given)."""
    assert t.id is not None
    returns = [e for e in await uow.events.for_ticket(t.id) if e.kind == "returned"
               and (department is None or e.detail.get("from") == department)]
    return returns[-1] if returns else None


def _evidence(files: list[Attachment]) -> dict[str, Any]:
    """Files are counted (they follow the card); locations are shown as map links on it."""
    links = [link for a in files if a.kind == "location" and (link := map_link(a.caption))]
    return {"attachments": sum(a.kind != "location" for a in files), "locations": links}


async def queue(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int | None,
                key: str = "") -> None:
    """The card and its attachments (re-sent by file_id, never forwarded) arrive in a group;
    `key` distinguishes a later arrival (a transfer) in the same chat."""
    if chat_id is None or t.id is None:
        return  # delivered by binding.deliver_backlog() once a group is bound
    prefix = f"{key}:" if key else ""
    every = await uow.attachments.for_ticket(t.id)
    await enqueue(ctx, uow, await build(ctx, uow, t, chat_id, every),
                  f"{prefix}card:{t.id}:{chat_id}", t, "card")
    files = [a for a in every if a.kind != "location"]
    for i, a in enumerate(files, 1):
        out = Outgoing(chat_id=chat_id,
                       key="card.attachment_caption" if a.caption else "card.attachment",
                       params={"number": t.number, "index": i, "total": len(files),
                               "caption": a.caption},
                       media=Media(a.kind if a.kind in ("photo", "voice") else "document",  # type: ignore[arg-type]
                                   a.file_id))
        await enqueue(ctx, uow, out, f"{prefix}attach:{t.id}:{i}:{chat_id}", t, "attachment")


async def refresh(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int | None,
                  dedupe: str) -> None:
    """Re-render the card in `chat_id`: edit the sent card, or send a new one if none is known."""
    if chat_id is None or t.id is None:
        return
    out = await build(ctx, uow, t, chat_id)
    here = await department_of_chat(ctx, uow, chat_id)
    if t.department != here:      # the ticket has left this group: the old card loses its
        out.buttons = category_rows(t) if here == TRIAGE else []   # buttons (the office: its
        out.params["moved_to"] = t.department                      # category stays open)
    last = await uow.outbox.last_sent(t.id, chat_id, CARD_KINDS)
    if last is not None and last.message_id is not None:
        out.edit_message_id = last.message_id
    elif await uow.outbox.has_unsent(t.id, chat_id, CARD_KINDS):
        out.edit_card_of = t.id   # the card is still on its way: edit it once it is sent
    elif out.params.get("moved_to"):
        return
    else:
        await enqueue(ctx, uow, out, f"{dedupe}:card:{chat_id}", t, "card")
        return
    out.params["files_sent"] = True      # an edit comes after the files went out
    _fit_one_message(out)
    if last is not None and _unchanged(last.payload, out) \
            and not await uow.outbox.has_unsent(t.id, chat_id, CARD_KINDS):
        return                           # Telegram refuses an edit that changes nothing
    await enqueue(ctx, uow, out, f"{dedupe}:edit:{chat_id}", t, "card_edit")


def _unchanged(sent: dict[str, Any], out: Outgoing) -> bool:
    """Would the edit show exactly what the card in the chat shows now? (Instants compared as
    instants: a stored time may carry another offset than a freshly read one.)"""
    now = to_payload(out)
    same: bool = _instants(json_safe(now["params"])) == _instants(sent.get("params", {})) \
        and now["buttons"] == sent.get("buttons")
    return same


def _instants(params: dict[str, Any]) -> dict[str, Any]:
    return {k: _instant(v) for k, v in params.items()}


def _instant(v: Any) -> Any:
    if isinstance(v, str) and len(v) >= 19 and v[4:5] == "-" and "T" in v:
        try:
            return datetime.fromisoformat(v).astimezone(UTC)
        except ValueError:
            return v
    return v


def _fit_one_message(out: Outgoing) -> None:
    """An edit replaces one message: a long complaint is cut (the full text is in /ticket)."""
    text = str(out.params.get("text", ""))
    if len(text) > EDIT_TEXT_CHARS:
        out.params["text"] = text[:EDIT_TEXT_CHARS]
        out.params["text_cut"] = len(text) - EDIT_TEXT_CHARS


async def send_new(ctx: Context, uow: UnitOfWork, t: Ticket, dedupe: str) -> None:
    """The ticket arrives in (another) department's group: a fresh card and its attachments."""
    await queue(ctx, uow, t, await group_of(ctx, uow, t.department), key=dedupe)


async def department_of_chat(ctx: Context, uow: UnitOfWork, chat_id: int) -> str | None:
    """The department whose group this is: a /bind wins over config.toml."""
    binding = await uow.bindings.for_chat(chat_id)
    if binding is not None:
        return binding.department
    return next((d for d, c in ctx.departments.items() if c == chat_id), None)
