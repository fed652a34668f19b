"""The office's triage queue end to end (real PTB against the emulator): a ticket returned by
housing reaches the office group with housing's reason; a supervisor routes it (housing is not
offered) and corrects its category; department staff are refused; the corrections are
exported by the CLI and a retrain on them says so in its metadata."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from bot.emulator import SentMessage
from tests.e2e.test_staff_desk import (
    DeskWorld,
    _users,
    card_of,
    desk_world,
    file_complaint,
    has,
    plain,
)
from workflow.chat import callbacks

__all__ = ["desk_world"]
REPO = Path(__file__).resolve().parents[2]


def _triage_card(number: str):  # type: ignore[no-untyped-def]
    return lambda m: number in plain(m) and "待分拣" in plain(m) and bool(m.callback_data)


async def _cli(w: DeskWorld, *args: str) -> Result:
    """The command line in a thread (it runs its own event loop) on the bot's database."""
    env = {"ZHIYONG_STORAGE__URL": w.app.settings.storage.url}
    return await asyncio.to_thread(CliRunner().invoke, main,
                                   ["--config", str(REPO / "config.toml"), *args], env=env)


async def _return_to_office(w: DeskWorld) -> tuple[str, SentMessage]:
    citizen = w.emu.user(next(_users), "周分拣")
    clerk = await w.staff("郑退回", "housing")
    number = await file_complaint(citizen)
    card = await card_of(w.groups["housing"], number)
    await clerk.press(card, text="退回")
    reasons = await clerk.wait_for(has("退回"))
    await clerk.press(reasons, text="职能不符")
    await clerk.wait_for(has("已退回"))
    triage = await w.groups["supervision"].wait_for(_triage_card(number))
    return number, triage


async def test_triage_routes_corrects_exports_and_retrains(desk_world: DeskWorld,
                                                           tmp_path: Path) -> None:
    w = desk_world
    office_group = w.groups["supervision"]
    number, triage = await _return_to_office(w)
    assert "住房和城乡建设局 退回，理由：职能不符" in plain(triage)
    assert "➡️ 住房和城乡建设局" not in triage.button_texts
    assert "➡️ 市场监督管理局" in triage.button_texts
    assert "⚖️ 责令住房和城乡建设局办理" in triage.button_texts
    t = await _ticket(w, number)
    forged = callbacks.triage("department", t.id, "housing")
    boss = await w.staff("冯分拣", None, role="supervisor")
    refused = await boss.press(triage, forged, forge=True)
    assert refused is not None and "不能再派给它" in (refused.text or "")

    clerk = await w.staff("褚旁观", "market")
    refused = await clerk.press(triage, text="➡️ 市场监督管理局")
    assert refused is not None and "只有治庸问责办公室" in (refused.text or "")
    refused = await clerk.press(triage, text="不想为")
    assert refused is not None and "只有治庸问责办公室" in (refused.text or "")

    done = await boss.press(triage, text="➡️ 市场监督管理局")
    assert done is not None and "已派给 市场监督管理局" in (done.text or "")
    await card_of(w.groups["market"], number)
    edited = await office_group.wait_for(lambda m: m.message_id == triage.message_id
                                         and "已派：市场监督管理局" in plain(m))
    assert not any(t.startswith("➡️") for t in edited.button_texts)
    done = await boss.press(edited, text="乱作为")
    assert done is not None and "类别已记为：乱作为" in (done.text or "")
    await office_group.wait_for(lambda m: m.message_id == triage.message_id
                                and "冯分拣 已确认" in plain(m))
    again = await boss.press(office_group.emu.message(office_group.id, triage.message_id),
                             text="乱作为")
    assert again is not None and "没有任何改动" in (again.text or "")

    exported = tmp_path / "corrections.csv"
    result = await _cli(w, "nlp", "corrections", "export", "--out", str(exported))
    assert result.exit_code == 0, result.output
    with exported.open(encoding="utf-8") as f:
        mine = [r for r in csv.DictReader(f) if r["ticket"] == number]
    assert [(r["field"], r["old"], r["new"]) for r in mine] == [
        ("department", "housing", "market"), ("category", t.category, "misconduct")]
    assert {r["by"] for r in mine} == {str(boss.id)}

    model = tmp_path / "model"
    result = await _cli(w, "nlp", "train", "--default", "--corrections", str(exported),
                        "--out", str(model))
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert set(figures) >= {"before", "heldout"} and figures["corrections"] >= 1
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert meta["trained_with_corrections"] is True
    assert meta["corrections"]["count"] == figures["corrections"]


async def _ticket(w: DeskWorld, number: str):  # type: ignore[no-untyped-def]
    async with w.app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
    assert t is not None
    return t
