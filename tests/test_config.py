"""config.toml: validated at start, errors name the key, env overrides, no token in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from storage.db import async_url

REPO = Path(__file__).resolve().parent.parent


def test_shipped_config_has_the_whole_taxonomy() -> None:
    s = load_settings(REPO / "config.toml")
    assert set(s.categories) == {"cannot", "will_not", "dare_not", "misconduct", "other"}
    assert len(s.departments) == 15 and s.department_name("housing") == "住房和城乡建设局"
    assert s.storage.url == "sqlite:///data/zhiyong.db" and s.timezone == "Asia/Shanghai"


def test_bad_value_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[deadlines]\nsign_days = "soon"\n[telegram]\napi_url = "ftp://x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(bad)
    assert "deadlines.sign_days" in str(err.value) and "telegram.api_url" in str(err.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[storage]\nurl = \"sqlite:///x.db\"\npasword = 1\n")
    with pytest.raises(ConfigError, match="storage.pasword"):
        load_settings(bad)


def test_token_in_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[telegram]\ntoken = "123:abc"\n')
    with pytest.raises(ConfigError, match="ZHIYONG_TELEGRAM_TOKEN"):
        load_settings(bad)


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIYONG_STORAGE__URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("ZHIYONG_TELEGRAM_TOKEN", "123:secret")
    s = load_settings(REPO / "config.toml")
    assert s.storage.url.startswith("postgresql://")
    assert s.telegram_token is not None and s.telegram_token.get_secret_value() == "123:secret"
    assert "secret" not in repr(s)
    assert len(s.departments) == 15  # nested env values merge with the file, not replace it


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_triage_department_is_required(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[departments.housing]\nname = "住建局"\n')
    with pytest.raises(ConfigError, match="supervision"):
        load_settings(bad)


@pytest.mark.parametrize(("plain", "driver"), [
    ("sqlite:///data/zhiyong.db", "sqlite+aiosqlite:///data/zhiyong.db"),
    ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
    ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
])
def test_plain_urls_get_the_async_driver(plain: str, driver: str) -> None:
    assert async_url(plain) == driver


def test_shipped_config_restates_the_defaults_exactly() -> None:
    """config.toml is the commented copy of bot/config.py's defaults: they cannot drift apart."""
    from bot.config import Settings

    shipped = load_settings(REPO / "config.toml").model_dump()
    defaults = Settings().model_dump()
    for section in shipped.keys() - {"departments", "categories"}:
        assert shipped[section] == defaults[section], section
