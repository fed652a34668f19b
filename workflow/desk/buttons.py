"""Which desk buttons a ticket card shows in its state (`t:<action>:<ticket_id>`).

The buttons are a convenience, not a permission: workflow.desk.actions decides again on every press.
"""

from __future__ import annotations

from workflow.chat.messages import Button
from workflow.context import TRIAGE, Context
from workflow.model import Ticket, TicketState

_DEPARTMENT_ACTIONS: dict[str, list[list[str]]] = {
    TicketState.ROUTED: [["sign", "return"], ["transfer", "note"]],
    TicketState.SIGNED: [["ask", "answer"], ["extend", "note"], ["return", "transfer"]],
    TicketState.REOPENED: [["ask", "answer"], ["extend", "note"]],
    TicketState.ANSWERED: [["note"]],
}
_OFFICE_ACTIONS: dict[str, list[list[str]]] = {
    TicketState.ROUTED: [["reroute", "sign"], ["note"]],
    TicketState.TRIAGE: [["reroute", "must"], ["note"]],
    TicketState.SIGNED: [["ask", "answer"], ["extend", "note"]],
    TicketState.REOPENED: [["ask", "answer"], ["extend", "note"]],
    TicketState.ANSWERED: [["note"]],
}


def data(action: str, ticket_id: int) -> str:
    return f"t:{action}:{ticket_id}"


def buttons(ctx: Context, t: Ticket) -> list[list[Button]]:
    """The actions that make sense in the ticket's state, for the group it is shown in."""
    if t.id is None:
        return []
    table = _OFFICE_ACTIONS if t.department == TRIAGE else _DEPARTMENT_ACTIONS
    rows = []
    for row in table.get(t.state, []):
        keep = [a for a in row if a != "transfer" or ctx.desk.allow_direct_transfer]
        if keep:
            rows.append([Button(f"btn.desk.{a}", data(a, t.id)) for a in keep])
    return rows
