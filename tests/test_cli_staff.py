"""`zhiyong staff invite / list / revoke`, run as an operator would (subprocess, real files)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage.migrate import upgrade_async
from storage.uow import Database
from tests.test_cli import REPO, zhiyong
from workflow.model import StaffMember


def _config(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    config = tmp_path / "config.toml"
    config.write_text((REPO / "config.toml").read_text(encoding="utf-8").replace(
        "sqlite:///data/zhiyong.db", url), encoding="utf-8")
    return config, url


async def test_invite_list_and_revoke(tmp_path: Path) -> None:
    config, url = _config(tmp_path)
    cli = ("--config", str(config), "staff")
    head = zhiyong(*cli, "invite", "--department", "housing", "--role", "head", cwd=tmp_path)
    assert head.returncode == 0, head.stderr
    assert head.stdout.startswith("/join ") and "住房和城乡建设局" in head.stdout
    office = zhiyong(*cli, "invite", "--role", "supervisor", cwd=tmp_path)
    assert office.returncode == 0 and "supervision" in office.stdout
    missing = zhiyong(*cli, "invite", "--role", "staff", cwd=tmp_path)
    assert missing.returncode != 0 and "--department is required" in missing.stderr
    wrong = zhiyong(*cli, "invite", "--department", "nasa", cwd=tmp_path)
    assert wrong.returncode != 0 and "unknown department 'nasa'" in wrong.stderr
    assert "Traceback" not in wrong.stderr + missing.stderr
    assert "no staff registered" in zhiyong(*cli, "list", cwd=tmp_path).stdout

    await upgrade_async(url)
    db = Database(url)
    async with db.uow() as uow:
        await uow.staff.upsert(StaffMember(telegram_id=4242, display_name="张办事",
                                           department="housing", role="staff",
                                           joined_at=datetime(2026, 11, 23, 2, tzinfo=UTC)))
        await uow.commit()
    listed = zhiyong(*cli, "list", "--department", "housing", cwd=tmp_path)
    assert "4242\t张办事\thousing\tstaff" in listed.stdout
    revoked = zhiyong(*cli, "revoke", "4242", cwd=tmp_path)
    assert revoked.returncode == 0 and "revoked 4242" in revoked.stdout
    assert "no staff registered" in zhiyong(*cli, "list", cwd=tmp_path).stdout
    assert "revoked" in zhiyong(*cli, "list", "--all", cwd=tmp_path).stdout
    async with db.uow() as uow:
        member = await uow.staff.by_telegram_id(4242)
    await db.dispose()
    assert member is not None and not member.active and member.revoked_at is not None
    unknown = zhiyong(*cli, "revoke", "5", cwd=tmp_path)
    assert unknown.returncode != 0 and "no staff member with Telegram id 5" in unknown.stderr
