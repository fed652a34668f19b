"""When a notification goes out, and whether it rings: nothing is held back, nobody woken.

Every row may go at once: a complainant told "your complaint went to 住建局" must be able to
trust that the card is there. Outside working hours a department group's message arrives
silently (Telegram's disable_notification) unless its ticket is urgent, and a person's
message in quiet hours (22:00-08:00) is silent too. Telegram ids tell the audience apart:
private chats (citizens, staff) are positive, groups are negative.
"""

from __future__ import annotations

from datetime import datetime

from workflow.context import Context


def is_group(chat_id: int) -> bool:
    return chat_id < 0


def deliver_at(ctx: Context, chat_id: int, urgent: bool, at: datetime | None = None) -> datetime:
    """The earliest instant a message to `chat_id` may go out: at once."""
    return at or ctx.now()


def silent(ctx: Context, chat_id: int, urgent: bool, at: datetime | None = None) -> bool:
    """Should the message arrive without a sound?"""
    when = at or ctx.now()
    if is_group(chat_id):
        return ctx.deadlines.silent_for_group(when, urgent)
    return ctx.deadlines.silent_for_citizen(when)
