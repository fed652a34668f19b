"""When a notification may be delivered: quiet hours for citizens, working time for groups.

Telegram ids tell the audience apart: private chats (citizens, staff) are positive, groups
are negative. Urgent tickets reach department groups at any hour; citizens are never woken.
"""

from __future__ import annotations

from datetime import datetime

from workflow.context import Context


def is_group(chat_id: int) -> bool:
    return chat_id < 0


def deliver_at(ctx: Context, chat_id: int, urgent: bool, at: datetime | None = None) -> datetime:
    """The earliest instant a message to `chat_id` may go out (in UTC)."""
    when = at or ctx.now()
    policy = ctx.deadlines
    if is_group(chat_id):
        return policy.deliver_at_for_group(when, urgent).astimezone(when.tzinfo)
    return policy.deliver_at_for_citizen(when).astimezone(when.tzinfo)
