"""The `zhiyong` command line, run as a user would (subprocess, real files)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKOUT = {"PYTHONPATH": str(REPO)}   # run this checkout's code, not whichever copy is installed


def zhiyong(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = zhiyong("--help", cwd=tmp_path)
    assert out.returncode == 0
    for command in ("run", "demo", "db", "group", "classify", "nlp"):
        assert command in out.stdout


def test_db_upgrade_and_group_invite(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text((REPO / "config.toml").read_text(encoding="utf-8").replace(
        "sqlite:///data/zhiyong.db", f"sqlite:///{tmp_path / 'z.db'}"), encoding="utf-8")
    up = zhiyong("--config", str(config), "db", "upgrade", cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    assert "applied 6 migration(s): 0001 initial schema; 0002 staff desk; 0003" in up.stdout
    assert "now at revision 0006 (head)" in up.stdout
    again = zhiyong("--config", str(config), "db", "upgrade", cwd=tmp_path)
    assert again.returncode == 0 and "up to date at revision 0006" in again.stdout
    assert "nothing to apply" in again.stdout
    invite = zhiyong("--config", str(config), "group", "invite", "--department", "housing",
                     cwd=tmp_path)
    assert invite.returncode == 0, invite.stderr
    assert invite.stdout.startswith("/bind ") and "住房和城乡建设局" in invite.stdout
    wrong = zhiyong("--config", str(config), "group", "invite", "--department", "nasa",
                    cwd=tmp_path)
    assert wrong.returncode != 0 and "unknown department 'nasa'" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_bad_config_fails_with_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nurl = "mysql://x"\n', encoding="utf-8")
    out = zhiyong("--config", str(config), "db", "upgrade", cwd=tmp_path)
    assert out.returncode != 0 and "storage.url" in out.stderr and "Traceback" not in out.stderr


def test_run_without_token_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ZHIYONG_TELEGRAM_TOKEN"}
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-m", "bot", "--config", str(REPO / "config.toml"),
                          "run"], cwd=tmp_path, text=True, capture_output=True, timeout=60, env=env)
    assert out.returncode != 0 and "ZHIYONG_TELEGRAM_TOKEN" in out.stderr


def test_demo_plays_the_whole_path_offline(tmp_path: Path) -> None:
    out = zhiyong("--config", str(REPO / "config.toml"), "demo", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for step in ("投诉编号 ZY-", "新投诉 ZY-", "附件 1/1", "负责人：张科员", "答复如下", "请评价办理结果",
                 "感谢您的评价", "forwardMessage 调用次数：0"):
        assert step in out.stdout, step
    group_part = out.stdout.split("工作群 收到")[1].split("工作人员 张科员")[0]
    assert "王小明" not in group_part and "xiaoming" not in group_part
