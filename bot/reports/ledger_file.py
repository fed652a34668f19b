"""The ledger on disk: XLSX (tickets, KPIs, flagged officials) or CSV (the ticket sheet).

Written to a temporary file in the target folder and renamed into place, so a failure (an
unwritable folder, a full disk, Ctrl-C) leaves no half-written report behind. openpyxl's
write-only mode keeps 100,000 rows in seconds; dates are real Excel dates in the city's time.
"""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.reports.xlsx_stream import append_rows
from bot.templates import (
    CATEGORY_NAMES,
    DEADLINE_STATUS_NAMES,
    LEDGER_IDENTITY_HEADERS,
    LEDGER_KPI_HEADERS,
    LEDGER_OFFICIAL_HEADERS,
    LEDGER_SHEETS,
    LEDGER_TICKET_HEADERS,
    LIST_SEPARATOR,
    MEASURE_NAMES,
    OFFICIAL_ROLE_NAMES,
    RATING_NAMES,
    REPEAT_FLAG,
    STATE_NAMES,
    VERDICT_NAMES,
    YES,
    days_text,
    rate_text,
)
from workflow.office.kpis import DepartmentKpi, Rate
from workflow.office.ledger import Ledger, deadline_status
from workflow.office.readmodel import FlaggedOfficial, LedgerLine

FORMATS = ("xlsx", "csv")
WIDTH_SAMPLE = 2000            # rows looked at to size the columns
MAX_WIDTH = 60


class ReportPathError(Exception):
    """The report cannot be written where asked (missing or read-only folder, no space)."""


class LedgerWriter:
    def __init__(self, departments: Mapping[str, str], tz: ZoneInfo) -> None:
        self.departments, self.tz = departments, tz

    # ---- rows ----
    def when(self, dt: datetime | None) -> datetime | None:
        return dt.astimezone(self.tz).replace(tzinfo=None) if dt else None

    def ticket_row(self, line: LedgerLine, now: datetime, identity: bool) -> list[Any]:
        measures = "；".join(f"{name}（{OFFICIAL_ROLE_NAMES.get(role, role)}）："
                            f"{MEASURE_NAMES.get(m, m)}" for name, role, m in line.measures)
        row = [line.number, self.when(line.created_at), CATEGORY_NAMES.get(line.category,
                                                                          line.category),
               self.departments.get(line.department, line.department), line.accountable,
               STATE_NAMES.get(line.state, line.state), self.when(line.sign_due),
               self.when(line.signed_at),
               DEADLINE_STATUS_NAMES[deadline_status(line.sign_due, line.signed_at, now)],
               self.when(line.answer_due), self.when(line.answered_at),
               DEADLINE_STATUS_NAMES[deadline_status(line.answer_due, line.answered_at, now)],
               self.when(line.closed_at), RATING_NAMES.get(line.rating, line.rating),
               VERDICT_NAMES.get(line.verdict, line.verdict), measures]
        return row + ([line.complainant_name, line.complainant_phone] if identity else [])

    def kpi_row(self, r: DepartmentKpi) -> list[Any]:
        def rate(x: Rate) -> str:
            return rate_text(x.num, x.den)

        mix = LIST_SEPARATOR.join(f"{CATEGORY_NAMES.get(k, k)} {n}"
                                  for k, n in sorted(r.categories.items()))
        return [r.rank, self.departments.get(r.department, r.department), r.received,
                r.tickets, rate(r.on_time_sign), rate(r.on_time_answer), rate(r.satisfaction),
                rate(r.dissatisfaction), rate(r.reopened), rate(r.returned), r.overdue_now,
                days_text(r.mean_days), rate(r.substantiated), mix, YES if r.last_place else ""]

    @staticmethod
    def official_row(f: FlaggedOfficial) -> list[Any]:
        return [f.name, f.post, f.unit, f.year, f.count, LIST_SEPARATOR.join(f.tickets),
                REPEAT_FLAG]

    def ticket_headers(self, identity: bool) -> list[str]:
        return LEDGER_TICKET_HEADERS + (LEDGER_IDENTITY_HEADERS if identity else [])

    def ticket_rows(self, ledger: Ledger) -> Iterable[list[Any]]:
        return (self.ticket_row(line, ledger.now, ledger.with_identity) for line in ledger.lines)

    # ---- files ----
    def write(self, ledger: Ledger, path: Path, fmt: str) -> int:
        """Write atomically; the number of ticket rows. ReportPathError when it cannot."""
        writer = self._xlsx if fmt == "xlsx" else self._csv
        atomic_write(path, lambda tmp: writer(ledger, tmp))
        return len(ledger.lines)

    def _csv(self, ledger: Ledger, tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8-sig") as f:   # Excel opens it as UTF-8
            out = csv.writer(f)
            out.writerow(self.ticket_headers(ledger.with_identity))
            for row in self.ticket_rows(ledger):
                out.writerow([v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime)
                              else csv_safe(v) for v in row])

    def _xlsx(self, ledger: Ledger, tmp: Path) -> None:
        """openpyxl makes the workbook with the first ticket row; the rest is streamed."""
        headers = self.ticket_headers(ledger.with_identity)
        rows = self.ticket_rows(ledger)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE))
        wb = Workbook(write_only=True)
        _sheet(wb, LEDGER_SHEETS["tickets"], headers, sample[:1], _widths(headers, sample))
        for title, heads, small in (
                (LEDGER_SHEETS["kpis"], LEDGER_KPI_HEADERS,
                 [self.kpi_row(r) for r in ledger.kpis.rows]),
                (LEDGER_SHEETS["officials"], LEDGER_OFFICIAL_HEADERS,
                 [self.official_row(f) for f in ledger.flagged])):
            _sheet(wb, title, heads, small, _widths(heads, small))
        if len(sample) <= 1:
            wb.save(tmp)
            return
        base = tmp.with_name(tmp.name + ".base")
        try:
            wb.save(base)
            append_rows(base, tmp, TICKET_SHEET_XML, itertools.chain(sample[1:], rows),
                        len(headers), len(ledger.lines) + 1, DATE_COLUMN)
        finally:
            base.unlink(missing_ok=True)


TICKET_SHEET_XML = "xl/worksheets/sheet1.xml"    # the first sheet openpyxl writes
DATE_COLUMN = "B"                                # the receipt date: every ticket has one


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]],
           widths: list[float]) -> None:
    """Header row bold and frozen; widths from the header and the first rows."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    ws.append([_bold(ws, h, bold) for h in headers])
    for row in rows:
        ws.append([_as_text(ws, v) for v in row])


FORMULA_START = ("=", "+", "-", "@")


def csv_safe(v: Any) -> Any:
    """Free text (an official's name, a staff name) never becomes a spreadsheet formula."""
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v


def _as_text(ws: Any, v: Any) -> Any:
    """openpyxl would store "=…" as a formula; typed text stays text."""
    if isinstance(v, str) and v.startswith("="):
        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"
        return cell
    return v


def _bold(ws: Any, text: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = font
    return cell


def _display_width(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, datetime):
        return 19
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(v))


def _widths(headers: list[str], rows: list[list[Any]]) -> list[float]:
    widths = [_display_width(h) for h in headers]
    for row in rows:
        for i, v in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], _display_width(v))
    return [min(MAX_WIDTH, w + 2) for w in widths]


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ReportPathError(f"cannot write {path}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReportPathError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
