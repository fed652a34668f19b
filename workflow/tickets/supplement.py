"""A complainant's own earlier complaint about the same problem, and 补充材料 to it.

Filing the same complaint again is caught at submission: a near-duplicate of one of the
person's tickets still in hand (similar text, by character pairs of the normalised text, so
a Traditional re-filing of a Simplified complaint matches, and no segmenter) is offered as the
place to add this one to instead. A supplement carries the text and every file (photo,
document, voice; a location as a map link) to the group that holds the ticket, under its
card, and the files become the ticket's attachments.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from workflow.chat.evidence import map_link
from workflow.chat.messages import Media, Outgoing
from workflow.context import Context
from workflow.desk import cards
from workflow.model import Attachment, Ticket, TicketEvent, TicketState
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.tickets.routing import group_of

S = TicketState
IN_HAND = (S.ROUTED, S.TRIAGE, S.SIGNED, S.REOPENED)   # a supplement still reaches someone
SIMILAR = 0.6           # Jaccard of character pairs above which two complaints are the same
LOOK_BACK = 20          # the person's latest tickets compared


def _pairs(text: str) -> set[str]:
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower()
                   if ch.isalnum())
    return {kept[i:i + 2] for i in range(len(kept) - 1)}


def similarity(a: str, b: str) -> float:
    pa, pb = _pairs(a), _pairs(b)
    if not pa or not pb:
        return 0.0
    return len(pa & pb) / len(pa | pb)


def near_duplicate(ctx: Context, recent: list[Ticket], text: str) -> Ticket | None:
    """Of the person's latest tickets (newest first), the one in hand most like `text`, if it
    is like it enough."""
    text = ctx.normalize(text)
    scored = [(similarity(text, ctx.normalize(t.text)), t) for t in recent[:LOOK_BACK]
              if t.state in IN_HAND]
    best = max(scored, key=lambda s: s[0], default=None)
    return best[1] if best is not None and best[0] >= SIMILAR else None


async def add(ctx: Context, uow: UnitOfWork, t: Ticket, text: str,
              files: list[dict[str, str]], key: str) -> None:
    """Record the supplement and send it, files included, to the group holding the ticket."""
    assert t.id is not None
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="supplement", at=ctx.now(),
                                     actor="citizen", detail={"text": text, "files": len(files)}))
    for f in files:
        await uow.attachments.add(Attachment(
            ticket_id=t.id, kind=f["kind"], file_id=f["file_id"],
            file_unique_id=f.get("file_unique_id", ""), file_name=f.get("file_name", ""),
            caption=f.get("caption", "")))
    chat = await group_of(ctx, uow, t.department)
    if chat is None:
        return                 # the group gets the ticket's attachments with its card later
    sent = [f for f in files if f["kind"] != "location"]
    links = [link for f in files if f["kind"] == "location" and (link := map_link(f["caption"]))]
    await enqueue(ctx, uow, Outgoing(chat, "card.supplement", {
        "number": t.number, "text": text, "files": len(sent), "locations": links},
        thread_card_of=t.id), f"{key}:supplement:{chat}", t, "supplement")
    for i, f in enumerate(sent, 1):
        await enqueue(ctx, uow, _file(chat, t, f, i, len(sent)),
                      f"{key}:supplement:{i}:{chat}", t, "supplement")
    await cards.refresh(ctx, uow, t, chat, key)


def _file(chat: int, t: Ticket, f: dict[str, str], i: int, total: int) -> Outgoing:
    kind: Any = f["kind"] if f["kind"] in ("photo", "voice") else "document"
    return Outgoing(chat, "card.supplement_file", {"number": t.number, "index": i,
                                                   "total": total,
                                                   "caption": f.get("caption", "")},
                    media=Media(kind, f["file_id"]))
