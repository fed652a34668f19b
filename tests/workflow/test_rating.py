"""Rating: 满意 closes with an optional comment; every deadline shows on the card."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from bot.render import Renderer
from tests.workflow import test_sweep as base
from tests.workflow.test_sweep import World, local
from workflow.chat import dispatch
from workflow.chat.messages import Incoming, Response, Sender
from workflow.desk import cards
from workflow.model import TicketState

sweep_app, world = base.sweep_app, base.world     # the same fixtures as the sweep tests


async def press(world: World, chat: int, kind: str, **kw: str) -> Response:
    return await dispatch.handle(world.ctx, Incoming(
        update_id=secrets.randbelow(10**12) + 10**12, chat_id=chat, chat_type="private",
        kind=kind, sender=Sender(chat), **kw))  # type: ignore[arg-type]


async def answered(world: World, new_id: Callable[[], int]) -> tuple[object, int]:
    t, citizen = await world.file(new_id, category="other")
    world.clock.advance(hours=1)
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(), signed_by=5,
                           answer_due=world.policy.answer_due(world.clock.now(), "other", False))
    world.clock.advance(days=2)
    t = await world.change(t, state=TicketState.ANSWERED, answered_at=world.clock.now())
    return t, citizen


async def test_satisfied_closes_and_keeps_an_optional_comment(world: World,
                                                              new_id: Callable[[], int]) -> None:
    t, citizen = await answered(world, new_id)
    resp = await press(world, citizen, "button", data=f"r:{t.id}:s")   # type: ignore[attr-defined]
    assert [m.key for m in resp.messages] == ["rating.thanks"]
    closed = await world.get(t)  # type: ignore[arg-type]
    assert closed.state == TicketState.CLOSED and closed.rating == "satisfied"
    resp = await press(world, citizen, "text", text="处理很及时，谢谢")
    assert [m.key for m in resp.messages] == ["rating.comment_thanks"]
    async with world.ctx.uow() as uow:
        kinds = [e.kind for e in await uow.events.for_ticket(closed.id or 0)]
        assert await uow.actions.pending_for_ticket(closed.id or 0) == []   # window cancelled
    assert kinds[-2:] == ["rated", "rating_comment"]
    # the next text is an ordinary message again (the filing flow answers it)
    resp = await press(world, citizen, "text", text="另外路灯也坏了，请帮忙看看")
    assert all(not m.key.startswith("rating.") for m in resp.messages)


async def test_someone_elses_rating_button_is_refused(world: World,
                                                     new_id: Callable[[], int]) -> None:
    t, _ = await answered(world, new_id)
    resp = await press(world, new_id(), "button", data=f"r:{t.id}:u")  # type: ignore[attr-defined]
    assert resp.answer_key == "error.not_your_ticket"
    assert (await world.get(t)).state == TicketState.ANSWERED  # type: ignore[arg-type]


async def test_every_deadline_is_on_the_card(world: World, new_id: Callable[[], int]) -> None:
    renderer = Renderer({}, {"environment": "生态环境局"}, world.ctx.tz)
    t, _ = await world.file(new_id)
    t = await world.change(t, state=TicketState.SIGNED, signed_at=world.clock.now(), signed_by=5,
                           answer_due=world.policy.answer_due(world.clock.now(), "will_not",
                                                              False))
    async with world.ctx.uow() as uow:
        out = await cards.build(world.ctx, uow, t, -1)
    text = renderer.text(out.key, out.params)
    assert "签收期限" in text and "答复期限" in text and "延期申请期限" in text
    world.clock.set(local(2026, 10, 20, 15))
    t = await world.change(t, state=TicketState.ANSWERED, answered_at=world.clock.now())
    async with world.ctx.uow() as uow:
        out = await cards.build(world.ctx, uow, t, -1)
    text = renderer.text(out.key, out.params)
    assert "评价期限：2026-10-28 09:00" in text and "延期申请期限" not in text
