"""The office's reports as messages: the /stats table (and its chart), the /officials list,
and the scheduled period report (chart + the XLSX ledger as a document)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reports import stats_text
from bot.templates import LEDGER_SHEETS
from workflow.chat.messages import Media, Outgoing
from workflow.office.kpis import KpiReport
from workflow.office.ledger import Ledger
from workflow.office.readmodel import FlaggedOfficial


class OfficeScreens:
    def __init__(self, departments: Mapping[str, str], tz: ZoneInfo | None = None) -> None:
        self.departments = departments
        self.tz = tz or ZoneInfo("Asia/Shanghai")

    async def stats(self, chat_id: int, report: KpiReport) -> list[Outgoing]:
        """The chart first (uploaded as a photo), then the table: it is too long for a caption.
        Drawing takes about a second, so it runs in a thread: other chats are not held up."""
        return [await self._chart(chat_id, report), stats_text.stats_message(chat_id, report)]

    def officials(self, chat_id: int, year: int, flagged: list[FlaggedOfficial]) -> Outgoing:
        return stats_text.officials_message(chat_id, year, flagged)

    async def period_report(self, chat_id: int, ledger: Ledger) -> list[Outgoing]:
        """Chart, table and the ledger workbook of the period (drawn and written in threads)."""
        label = ledger.period.label
        book = await asyncio.to_thread(self._xlsx, ledger)
        document = Outgoing(chat_id, "office.period_ledger",
                            {"period": label, "tickets": len(ledger.lines)},
                            media=Media("document", data=book, file_name=f"{LEDGER_SHEETS['tickets']}-{label}.xlsx"))
        return [await self._chart(chat_id, ledger.kpis),
                stats_text.stats_message(chat_id, ledger.kpis), document]

    async def _chart(self, chat_id: int, report: KpiReport) -> Outgoing:
        png = await asyncio.to_thread(self._png, report)
        return Outgoing(chat_id, "office.stats_chart", {"period": report.period.label},
                        media=Media("photo", data=png,
                                    file_name=f"stats-{report.period.label}.png"))

    def _png(self, report: KpiReport) -> bytes:
        from bot.reports.chart import render_png  # matplotlib is slow to import: only when drawn

        return render_png(report, self.departments)

    def _xlsx(self, ledger: Ledger) -> bytes:
        from bot.reports.ledger_file import LedgerWriter  # openpyxl is slow to import

        with tempfile.TemporaryDirectory(prefix="zhiyong-report-") as folder:
            path = Path(folder) / "ledger.xlsx"
            LedgerWriter(self.departments, self.tz).write(ledger, path, "xlsx")
            return path.read_bytes()
