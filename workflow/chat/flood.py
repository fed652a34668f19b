"""A person sending 200 messages in two seconds is told once, politely, then not answered.

Counted per private chat in a one-minute window kept in the chat's state (so every bot
process sees the same count); button presses are not counted. Over the limit the first
message gets one notice and the rest are dropped quietly until the window ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workflow.chat.messages import Incoming, Response
from workflow.chat.state import ChatState, Flood
from workflow.context import Context

WINDOW = timedelta(minutes=1)


def throttled(ctx: Context, state: ChatState, msg: Incoming, resp: Response) -> bool:
    """Count this message; True when it must not be handled (the notice is in `resp`)."""
    if msg.kind == "button":
        return False
    now = ctx.now()
    window = state.flood
    if window is None or now - datetime.fromisoformat(window.started) >= WINDOW:
        window = state.flood = Flood(started=now.isoformat())
    window.count += 1
    if window.count <= ctx.rules.max_messages_per_minute:
        return False
    if not window.noticed:
        window.noticed = True
        resp.say(msg.chat_id, "flood.slow_down")
    return True
