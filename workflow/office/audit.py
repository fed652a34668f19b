"""Who saw a real-name complainant's identity: every showing is a row (who, which ticket, how).

Anonymous tickets never show an identity, so there is nothing to record for them.
"""

from __future__ import annotations

import logging

from workflow.context import Context
from workflow.model import Ticket
from workflow.office.model import IdentityView
from workflow.ports import UnitOfWork

log = logging.getLogger("zhiyong.office.audit")


def shows_identity(t: Ticket) -> bool:
    return not t.anonymous


async def record_views(ctx: Context, uow: UnitOfWork, viewer: str, purpose: str,
                       ticket_ids: list[int]) -> int:
    """Record that `viewer` saw the identity of these real-name tickets; how many."""
    now = ctx.now()
    rows = [IdentityView(ticket_id=i, viewer=viewer, purpose=purpose, at=now)
            for i in ticket_ids]
    if rows:
        await uow.audit.add(rows)
        log.warning("identity of %d real-name ticket(s) shown to %s (%s)", len(rows), viewer,
                    purpose)
    return len(rows)
