"""The composition root: settings → database, clock, classifier, calendar → the domain Context."""

from __future__ import annotations

from dataclasses import dataclass

import nlp
from bot.cli_nlp import configure_from_settings
from bot.config import Settings
from bot.render import Renderer
from storage.catalogue import sync_departments
from storage.migrate import upgrade_async
from storage.uow import Database
from workflow.clock import Clock, SystemClock
from workflow.context import Context, FilingRules
from workflow.deadlines import DeadlinePolicy
from workflow.workdays import WorkCalendar


@dataclass
class App:
    settings: Settings
    db: Database
    ctx: Context
    renderer: Renderer

    async def prepare(self) -> None:
        """Migrate the schema and sync the department catalogue (run on every start)."""
        await upgrade_async(self.settings.storage.url)
        await sync_departments(self.db, {k: d.name for k, d in self.settings.departments.items()})

    async def close(self) -> None:
        await self.db.dispose()


def calendar_of(settings: Settings) -> WorkCalendar:
    c = settings.calendar
    return WorkCalendar(tz=settings.timezone, extra_holidays=c.extra_holidays,
                        extra_workdays=c.extra_workdays, working_hours=c.working_hours)


def deadlines_of(settings: Settings) -> DeadlinePolicy:
    d = settings.deadlines
    return DeadlinePolicy(
        calendar=calendar_of(settings), sign_days=d.sign_days, sign_hours_urgent=d.sign_hours_urgent,
        answer_days_other=d.answer_days_other, answer_days_conduct=d.answer_days_conduct,
        answer_days_urgent=d.answer_days_urgent, supervise_after_days=d.supervise_after_days,
        max_extensions=d.max_extensions)


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    configure_from_settings(settings)
    db = Database(settings.storage.url)
    f = settings.filing
    ctx = Context(
        uow=db.uow, clock=clock or SystemClock(), classify=nlp.classify,
        deadlines=deadlines_of(settings), tz=settings.zone,
        departments={k: d.chat_id for k, d in settings.departments.items()},
        rules=FilingRules(min_description_chars=f.min_description_chars,
                          max_description_chars=f.max_description_chars,
                          max_attachments=f.max_attachments, invite_ttl_hours=f.invite_ttl_hours),
    )
    renderer = Renderer({k: c.name for k, c in settings.categories.items()},
                        {k: d.name for k, d in settings.departments.items()}, settings.zone)
    return App(settings, db, ctx, renderer)
