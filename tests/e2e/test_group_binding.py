"""Binding a department's group with a one-time code, through the real bot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.emulator import Group
from tests.e2e.conftest import Live
from workflow.desk.binding import create_group_invite


async def test_bind_with_one_time_code(live: Live, new_id: Callable[[], int]) -> None:
    admin = live.citizen(new_id(), "管理员")
    group: Group = live.emu.group(-new_id(), "税务局投诉处理群（新）")
    invite = await create_group_invite(live.app.ctx, "tax")

    await admin.send_in(group, f"/bind {invite.code}")
    bound = await group.wait_for()
    assert "税务局" in (bound.plain or "") and "绑定" in (bound.plain or "")
    async with live.app.ctx.uow() as uow:
        binding = await uow.bindings.for_department("tax")
    assert binding is not None and binding.chat_id == group.id

    await admin.send_in(group, f"/bind {invite.code}")
    again = await group.wait_for()
    assert "已被使用" in (again.plain or "")
    # put the shared catalogue back for other tests
    restore = await create_group_invite(live.app.ctx, "tax")
    await admin.send_in(live.groups["tax"], f"/bind {restore.code}")
    await live.groups["tax"].wait_for(lambda m: "绑定" in (m.plain or ""))


async def test_bad_codes_and_misuse_get_clear_replies(live: Live, new_id: Callable[[], int]) -> None:
    someone = live.citizen(new_id(), "路人")
    group = live.emu.group(-new_id(), "随便一个群")
    await someone.send_in(group, "/bind NOSUCHCODE")
    assert "无效" in ((await group.wait_for()).plain or "")
    await someone.send_in(group, "/bind")
    assert "用法" in ((await group.wait_for()).plain or "")

    expired = await create_group_invite(live.app.ctx, "urban")
    live.app.ctx.clock.advance(timedelta(hours=25))  # type: ignore[attr-defined]
    await someone.send_in(group, f"/bind {expired.code}")
    assert "过期" in ((await group.wait_for()).plain or "")

    fresh = await create_group_invite(live.app.ctx, "urban")
    await someone.send(f"/bind {fresh.code}")            # in private chat
    private = await someone.wait_for()
    assert "工作群" in (private.plain or "")

    before = len(group.sent())
    await someone.send_in(group, "大家好，今天的工单都处理完了吗")   # chatter: the bot stays quiet
    await someone.send_in(group, "/frobnicate")
    assert "不认识的命令" in ((await group.wait_for()).plain or "")
    assert len(group.sent()) == before + 1
