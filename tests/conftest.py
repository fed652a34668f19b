"""Shared fixtures: real databases (a SQLite file; PostgreSQL when ZHIYONG_TEST_PG_URL is set).

PostgreSQL tests get a fresh database per test session, created next to the one in the URL
and dropped afterwards, so runs never see each other's rows. When ZHIYONG_TEST_PG_URL is set
and the server cannot be reached, the tests fail: CI must not go green without PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.config import Settings, load_settings
from storage.catalogue import sync_departments
from storage.migrate import upgrade_async
from storage.uow import Database
from workflow.deadlines.clock import FakeClock

PG_ENV = "ZHIYONG_TEST_PG_URL"
MODEL_GROUP = "corpus-model"    # tests sharing the session's trained model: one worker
REPO = Path(__file__).resolve().parent.parent
# Subprocesses (`python -m bot` in a temporary directory) import this checkout, not whatever
# copy of zhiyong happens to be installed.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
# A bot process started by a test listens for /metrics on a free port, never on the default
# 127.0.0.1:9464 that two test runs (or a real bot) on one machine would fight over.
os.environ.setdefault("ZHIYONG_MONITORING__LISTEN", "127.0.0.1:0")


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test taking `backend` runs on each database; `@pytest.mark.backends("postgresql")`
    narrows it (a test of several processes on one database)."""
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("backends")
        names = [b for b in _backends() if only is None or b in only.args]
        metafunc.parametrize("backend", names, scope="session")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """All SQLite tests, then all PostgreSQL ones: the session fixtures of a database (its
    emulator, its live bot) are built once, never torn down and rebuilt in the middle — a
    test narrowed to one database would otherwise sit among the other's and leave a live bot
    polling an emulator already stopped."""
    def database_of(item: pytest.Item) -> int:
        spec = getattr(item, "callspec", None)
        return 1 if spec is not None and spec.params.get("backend") == "postgresql" else 0
    items.sort(key=database_of)
    for item in items:
        if "model_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(MODEL_GROUP))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'zhiyong-test.db'}"


async def _admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(admin_url)  # raises when PostgreSQL is unreachable
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set")
    url = make_url(base)
    name = f"zy_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.asynccontextmanager
async def own_database(backend: str, tag: str, tmp_path_factory: pytest.TempPathFactory
                       ) -> AsyncIterator[Database]:
    """A migrated database of its own (dropped afterwards on PostgreSQL), for tests whose rows
    no running bot or other test may see."""
    admin, name = "", ""
    if backend == "postgresql":
        url = make_url(os.environ[PG_ENV])
        name = f"zy_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
        admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
        await _admin(admin, f'CREATE DATABASE "{name}"')
        db_url = url.set(database=name).render_as_string(hide_password=False)
    else:
        db_url = f"sqlite:///{tmp_path_factory.mktemp(tag) / f'{tag}.db'}"
    await upgrade_async(db_url)
    db = Database(db_url)
    await sync_departments(db, DEPARTMENTS)
    try:
        yield db
    finally:
        await db.dispose()
        if admin:
            await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def quiet_database(backend: str, tmp_path_factory: pytest.TempPathFactory
                         ) -> AsyncIterator[Database]:
    """A database no running bot touches: for tests that claim outbox rows themselves."""
    async with own_database(backend, "quiet", tmp_path_factory) as db:
        yield db


DEPARTMENTS = {
    "market": "市场监督管理局", "housing": "住房和城乡建设局", "urban": "城市管理局",
    "environment": "生态环境局", "transport": "交通运输局", "police": "公安局",
    "education": "教育局", "health": "卫生健康委员会", "hr_social": "人力资源和社会保障局",
    "civil_affairs": "民政局", "natural_resources": "自然资源和规划局",
    "gov_service": "政务服务中心", "tax": "税务局", "medical_insurance": "医疗保障局",
    "supervision": "治庸问责办公室",
}


@pytest.fixture(scope="session")
def db_url(backend: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url"))


@pytest.fixture(scope="session")
async def database(db_url: str) -> AsyncIterator[Database]:
    await upgrade_async(db_url)
    db = Database(db_url)
    await sync_departments(db, DEPARTMENTS)
    yield db
    await db.dispose()


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield REPO


# ---- the application (domain Context on a real database, injected clock) ----------------

@pytest.fixture(scope="session")
def start_time() -> datetime:
    """Monday 2026-11-23 10:00 in Shanghai: a working day."""
    return datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def clock(start_time: datetime) -> FakeClock:
    return FakeClock(start_time)


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return load_settings(REPO / "config.toml", storage={"url": db_url},
                         telegram={"api_url": "http://127.0.0.1:9", "poll_timeout": 1},
                         # the deadline sweep is run explicitly by the tests that want it;
                         # Telegram's rate limits are tested on their own, not in every test
                         scheduler={"outbox_poll_seconds": 0.05, "enabled": False,
                                    "rate_limits": False})


@pytest.fixture(scope="session")
async def app(settings: Settings, clock: FakeClock, database: Database) -> AsyncIterator[App]:
    application = build_app(settings, clock=clock)
    await application.prepare()
    yield application
    await application.close()


_ids = itertools.count(1)


@pytest.fixture
def new_id() -> Callable[[], int]:
    """Unique chat/user ids, so tests sharing one database never see each other's rows."""
    base = os.getpid() * 1000

    def make() -> int:
        return base + next(_ids) * 7 + secrets.randbelow(5)

    return make
