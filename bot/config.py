"""Settings: config.toml read with tomllib, validated by pydantic, env overrides via pydantic-settings.

Why a single model: a bad value must stop the bot at start with a message naming the key,
not surface hours later inside a handler.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot.intake import REFETCH_LAG
from workflow.taxonomy import CATEGORIES, TRIAGE


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramConfig(_Strict):
    api_url: str = "https://api.telegram.org"
    framework: Literal["ptb", "aiogram"] = "ptb"
    poll_timeout: int = Field(default=30, ge=0, le=50)
    concurrent_updates: int = Field(default=16, ge=1, le=256)   # chats handled at once
    # a batch still in flight this long after getUpdates is kept in the inbox and confirmed
    refetch_lag: float = Field(default=REFETCH_LAG, ge=0, le=10)
    # webhook mode: Telegram POSTs updates to `url`; we listen on `listen` at `path`
    mode: Literal["polling", "webhook"] = "polling"
    listen: str = "127.0.0.1:8443"
    url: str = ""
    path: str = ""                      # default: the path of `url`
    start_retry_seconds: float = Field(default=60, ge=0)

    @field_validator("api_url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8443")
        return v

    @model_validator(mode="after")
    def _webhook_url(self) -> TelegramConfig:
        if self.mode == "webhook" and not self.url.startswith(("https://", "http://")):
            raise ValueError("webhook mode needs url = \"https://…\" (the public address)")
        return self

    @property
    def webhook_path(self) -> str:
        return self.path or urlsplit(self.url).path or "/"


class StorageConfig(_Strict):
    url: str = "sqlite:///data/zhiyong.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if v.split(":", 1)[0].split("+", 1)[0] not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("must be a sqlite:///… or postgresql://… URL")
        return v


class DepartmentConfig(_Strict):
    name: str
    chat_id: int | None = None
    keywords: list[str] = Field(default_factory=list)


class CategoryConfig(_Strict):
    name: str
    keywords: list[str] = Field(default_factory=list)


class NlpConfig(_Strict):
    model_dir: str | None = None
    threshold: float = Field(default=0.35, ge=0.0, le=1.0)
    urgent_keywords: list[str] = Field(default_factory=list)


class CalendarConfig(_Strict):
    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)
    working_hours: list[tuple[time, time]] = Field(
        default_factory=lambda: [(time(9, 0), time(12, 0)), (time(13, 30), time(17, 30))]
    )


class DeadlineConfig(_Strict):
    sign_days: int = Field(default=1, ge=1)
    sign_hours_urgent: float = Field(default=2, gt=0)
    answer_days_other: int = Field(default=5, ge=1)
    answer_days_conduct: int = Field(default=10, ge=1)
    answer_hours_urgent: float = Field(default=24, gt=0)
    supervise_after_days: int = Field(default=5, ge=1)
    max_extensions: int = Field(default=1, ge=0)
    remind_last_days: int = Field(default=1, ge=0)
    remind_last_hours_urgent: float = Field(default=1, ge=0)
    supervise_after_hours_urgent: float = Field(default=5, gt=0)
    rating_ask_after_days: int = Field(default=1, ge=0)
    rating_remind_after_days: int = Field(default=2, ge=0)
    rating_close_after_days: int = Field(default=7, ge=1)
    rating_ask_time: time = time(9, 0)
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    urgent_duty_roles: list[Literal["head", "duty", "staff"]] = Field(
        default_factory=lambda: ["head", "duty"], min_length=1)


class FilingConfig(_Strict):
    min_description_chars: int = Field(default=10, ge=1)
    max_description_chars: int = Field(default=50000, ge=100)
    max_attachments: int = Field(default=10, ge=0)
    max_accused_chars: int = Field(default=300, ge=10)
    invite_ttl_hours: int = Field(default=24, ge=1)
    max_messages_per_minute: int = Field(default=30, ge=5)
    max_complaints_per_day: int = Field(default=5, ge=1)


class DeskConfig(_Strict):
    allow_direct_transfer: bool = True
    max_answer_chars: int = Field(default=20000, ge=100)


class SchedulerConfig(_Strict):
    sweep_seconds: int = Field(default=60, ge=1)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    enabled: bool = True
    sweep_batch: int = Field(default=500, ge=1)
    digest_time: time = time(9, 0)          # morning digest per department, working days
    weekly_day: str = Field(default="mon", pattern="^(mon|tue|wed|thu|fri|sat|sun)$")
    weekly_time: time = time(9, 30)         # weekly summary to the oversight office
    quarterly_time: time = time(10, 0)      # 每季度汇总, on 1 Jan/Apr/Jul/Oct
    stale_claim_seconds: int = Field(default=120, ge=10)
    per_bot_per_second: int = Field(default=30, ge=1)
    per_group_per_minute: int = Field(default=20, ge=1)
    per_chat_per_second: int = Field(default=1, ge=1)
    group_window_seconds: float = Field(default=60.0, gt=0)   # the "minute" of the group limit
    rate_limits: bool = True       # false only against the emulator (tests, the demo)


class LoggingConfig(_Strict):
    format: Literal["text", "json"] = "text"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class MonitoringConfig(_Strict):
    enabled: bool = True
    listen: str = "127.0.0.1:9464"

    @field_validator("listen")
    @classmethod
    def _host_port(cls, v: str) -> str:
        if not re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]*):\d{1,5}", v):
            raise ValueError("must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464")
        return v


class Settings(BaseSettings):
    """Everything zhiyong reads at start. Token only from ZHIYONG_TELEGRAM_TOKEN."""

    model_config = SettingsConfigDict(
        env_prefix="ZHIYONG_", env_nested_delimiter="__", extra="forbid"
    )

    timezone: str = "Asia/Shanghai"
    telegram_token: SecretStr | None = None
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    deadlines: DeadlineConfig = Field(default_factory=DeadlineConfig)
    filing: FilingConfig = Field(default_factory=FilingConfig)
    scheduler: SchedulerConfig = Field(default_factory=SchedulerConfig)
    desk: DeskConfig = Field(default_factory=DeskConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    monitoring: MonitoringConfig = Field(default_factory=MonitoringConfig)
    categories: dict[str, CategoryConfig] = Field(default_factory=dict)
    departments: dict[str, DepartmentConfig] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @field_validator("departments")
    @classmethod
    def _has_triage(cls, v: dict[str, DepartmentConfig]) -> dict[str, DepartmentConfig]:
        if v and TRIAGE not in v:
            raise ValueError(f"the [departments.{TRIAGE}] triage office is required")
        return v

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, v: dict[str, CategoryConfig]) -> dict[str, CategoryConfig]:
        unknown = set(v) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown category ids {sorted(unknown)}; use {list(CATEGORIES)}")
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the file, so deployments override without editing it.
        return env_settings, init_settings

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def department_name(self, dept_id: str) -> str:
        dept = self.departments.get(dept_id)
        return dept.name if dept else dept_id



def env_name(loc: tuple[Any, ...], environ: Mapping[str, str] | None = None) -> str | None:
    """The environment variable that set the value at `loc`, if one did (longest match)."""
    env = {k.upper() for k in (os.environ if environ is None else environ)}
    parts = [str(p).upper() for p in loc]
    for n in range(len(parts), 0, -1):
        name = "ZHIYONG_" + "__".join(parts[:n])
        if name in env:
            return name
    return None


def _format_errors(exc: ValidationError, path: str | Path | None) -> str:
    """One line per bad value, naming where it came from: the variable or the file."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        where = env_name(err["loc"]) or f"{key} in {path}"
        lines.append(f"invalid configuration: {where}: {err['msg']}")
    return "\n".join(lines)


def load_settings(path: str | Path | None = "config.toml", **overrides: Any) -> Settings:
    """Read the file (missing file = defaults) and validate; raise ConfigError naming the key."""
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if p.exists():
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
        else:
            raise ConfigError(f"config file not found: {p.resolve()} (write one with "
                              "`zhiyong init`, or pass --config PATH)")
    if "token" in data.get("telegram", {}) or "telegram_token" in data:
        raise ConfigError(
            "telegram.token: the bot token must not be in the config file; "
            "set the ZHIYONG_TELEGRAM_TOKEN environment variable"
        )
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, path)) from exc
    except SettingsError as exc:   # a variable holding a list/table that is not valid JSON
        field = str(exc).split('"')[1] if '"' in str(exc) else ""
        name = next((k for k in os.environ if k.upper().startswith(
            f"ZHIYONG_{field.upper()}")), f"ZHIYONG_{field.upper()}")
        raise ConfigError(f"invalid configuration: {name}: not a valid value "
                          "(lists and tables are written as JSON, e.g. [\"a\", \"b\"])") from exc
