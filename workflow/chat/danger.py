"""A life in danger now: the citizen is told to call 110 / 119 / 120 before anything else.

The classifier reports `danger` (fire, gas, medical, police) on the words of the draft as it
grows, so the advice comes with the first message that describes the danger, ahead of every
other reply, once per draft. A complaint is no substitute for an emergency call.
"""

from __future__ import annotations

from nlp import DANGER_CALLS
from workflow.chat.messages import Outgoing, Response
from workflow.chat.state import ChatState
from workflow.context import Context


def warn(ctx: Context, state: ChatState, resp: Response) -> None:
    """Put the emergency advice first in `resp` if the draft reports a danger not yet told."""
    draft = state.filing
    danger = str(getattr(ctx.classify(draft.description()), "danger", "") or "")
    if not danger or danger == draft.danger_told or danger not in DANGER_CALLS:
        return
    draft.danger_told = danger
    resp.messages.insert(0, Outgoing(state.chat_id, "danger.call_now",
                                     {"danger": danger, "call": DANGER_CALLS[danger]}))
