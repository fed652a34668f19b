"""The office's reports as messages: the /stats table (and its chart), the /officials list."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.reports import chart, stats_text
from workflow.chat.messages import Media, Outgoing
from workflow.office.kpis import KpiReport
from workflow.office.readmodel import FlaggedOfficial


class OfficeScreens:
    def __init__(self, departments: Mapping[str, str]) -> None:
        self.departments = departments

    async def stats(self, chat_id: int, report: KpiReport) -> list[Outgoing]:
        """The chart first (uploaded as a photo), then the table: it is too long for a caption.
        Drawing takes about a second, so it runs in a thread: other chats are not held up."""
        png = await asyncio.to_thread(chart.render_png, report, self.departments)
        picture = Outgoing(chat_id, "office.stats_chart", {"period": report.period.label},
                           media=Media("photo", data=png,
                                       file_name=f"stats-{report.period.label}.png"))
        return [picture, stats_text.stats_message(chat_id, report)]

    def officials(self, chat_id: int, year: int, flagged: list[FlaggedOfficial]) -> Outgoing:
        return stats_text.officials_message(chat_id, year, flagged)
