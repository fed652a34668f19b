"""The office's reports as messages: the /stats table (and its chart), the /officials list."""

from __future__ import annotations

from collections.abc import Mapping

from bot.reports import stats_text
from workflow.chat.messages import Outgoing
from workflow.office.kpis import KpiReport
from workflow.office.readmodel import FlaggedOfficial


class OfficeScreens:
    def __init__(self, departments: Mapping[str, str]) -> None:
        self.departments = departments

    async def stats(self, chat_id: int, report: KpiReport) -> list[Outgoing]:
        return [stats_text.stats_message(chat_id, report)]

    def officials(self, chat_id: int, year: int, flagged: list[FlaggedOfficial]) -> Outgoing:
        return stats_text.officials_message(chat_id, year, flagged)
