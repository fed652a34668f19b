"""The composition root: settings → database, clock, classifier, calendar → the domain Context."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import nlp
from bot.cli_nlp import load_from_settings
from bot.config import Settings
from bot.render import Renderer
from bot.reports.screens import OfficeScreens
from nlp.normalize import to_simplified
from storage.catalogue import sync_departments
from storage.migrate import upgrade_async
from storage.uow import Database
from workflow.context import Context, DeskRules, FilingRules
from workflow.deadlines.clock import SystemClock
from workflow.deadlines.policy import DeadlinePolicy
from workflow.deadlines.workdays import WorkCalendar
from workflow.ports import Clock


class LazyClassifier:
    """The configured classifier, injected into the domain; loaded at start (App.prepare) or
    on first use, so tools that never classify never pay for the model."""

    RECENT = 512   # texts whose answers are remembered

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: nlp.Classifier | None = None
        # a draft is classified as it grows and again at its summary: the same text (the danger
        # check, then the summary of a draft that did not change) runs through the model once
        self._recent = functools.lru_cache(maxsize=self.RECENT)(self._classify)

    def load(self) -> nlp.Classifier:
        if self._loaded is None:
            self._loaded = load_from_settings(self.settings)
        return self._loaded

    def __call__(self, text: str) -> nlp.Classification:
        return self._recent(text)

    def _classify(self, text: str) -> nlp.Classification:
        return self.load().classify(text)


@dataclass
class App:
    settings: Settings
    db: Database
    ctx: Context
    renderer: Renderer
    classifier: LazyClassifier

    async def prepare(self, classifier: bool = True) -> None:
        """Migrate the schema, sync the department catalogue, load the classifier.

        The model is loaded here so that a missing one stops the start, not a citizen's filing.
        """
        await upgrade_async(self.settings.storage.url)
        await sync_departments(self.db, {k: d.name for k, d in self.settings.departments.items()})
        if classifier:
            # one text through it: the segmenter is built on first use, not on a citizen's
            self.classifier.load().classify("")


    async def close(self) -> None:
        await self.db.dispose()


def calendar_of(settings: Settings) -> WorkCalendar:
    c = settings.calendar
    return WorkCalendar(tz=settings.timezone, extra_holidays=c.extra_holidays,
                        extra_workdays=c.extra_workdays, working_hours=c.working_hours)


def deadlines_of(settings: Settings) -> DeadlinePolicy:
    """The deadline policy of the validated [deadlines] settings (one source for defaults)."""
    return DeadlinePolicy(calendar=calendar_of(settings), **settings.deadlines.model_dump())


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    db = Database(settings.storage.url)
    classifier = LazyClassifier(settings)
    ctx = Context(
        uow=db.uow, clock=clock or SystemClock(), classify=classifier,
        deadlines=deadlines_of(settings), tz=settings.zone,
        departments={k: d.chat_id for k, d in settings.departments.items()},
        rules=FilingRules(**settings.filing.model_dump()),
        desk=DeskRules(**settings.desk.model_dump()),
        office_screens=OfficeScreens({k: d.name for k, d in settings.departments.items()},
                                     settings.zone),
        normalize=to_simplified,
    )
    renderer = Renderer({k: c.name for k, c in settings.categories.items()},
                        {k: d.name for k, d in settings.departments.items()}, settings.zone)
    return App(settings, db, ctx, renderer, classifier)
