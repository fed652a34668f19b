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
from workflow.context import Context, DeskRules, FilingRules
from workflow.deadlines.clock import SystemClock
from workflow.deadlines.policy import DeadlinePolicy
from workflow.deadlines.workdays import WorkCalendar
from workflow.ports import Clock


@dataclass
class App:
    settings: Settings
    db: Database
    ctx: Context
    renderer: Renderer

    async def prepare(self, classifier: bool = True) -> None:
        """Migrate the schema, sync the department catalogue, load the classifier.

        The model is loaded here so that a missing one stops the start, not a citizen's filing.
        """
        await upgrade_async(self.settings.storage.url)
        await sync_departments(self.db, {k: d.name for k, d in self.settings.departments.items()})
        if classifier:
            nlp.current()


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
        max_extensions=d.max_extensions, remind_last_days=d.remind_last_days,
        remind_last_hours_urgent=d.remind_last_hours_urgent,
        supervise_after_hours_urgent=d.supervise_after_hours_urgent,
        rating_ask_after_days=d.rating_ask_after_days,
        rating_remind_after_days=d.rating_remind_after_days,
        rating_close_after_days=d.rating_close_after_days, rating_ask_time=d.rating_ask_time,
        quiet_start=d.quiet_start, quiet_end=d.quiet_end)


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
        desk=DeskRules(allow_direct_transfer=settings.desk.allow_direct_transfer,
                       max_answer_chars=settings.desk.max_answer_chars),
    )
    renderer = Renderer({k: c.name for k, c in settings.categories.items()},
                        {k: d.name for k, d in settings.departments.items()}, settings.zone)
    return App(settings, db, ctx, renderer)
