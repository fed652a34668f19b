"""The compact /stats table as an Outgoing (template `office.stats`), and /officials."""

from __future__ import annotations

from workflow.chat.messages import Outgoing
from workflow.office.kpis import KpiReport
from workflow.office.readmodel import FlaggedOfficial


def stats_message(chat_id: int, report: KpiReport) -> Outgoing:
    items = [{"rank": r.rank, "department": r.department, "received": r.received,
              "sign_num": r.on_time_sign.num, "sign_den": r.on_time_sign.den,
              "answer_num": r.on_time_answer.num, "answer_den": r.on_time_answer.den,
              "sat_num": r.satisfaction.num, "sat_den": r.satisfaction.den,
              "overdue": r.overdue_now, "last": r.last_place}
             for r in report.rows if r.tickets or r.received or r.overdue_now]
    return Outgoing(chat_id, "office.stats", {
        "period": report.period.label, "empty": report.empty, "items": items})


def officials_message(chat_id: int, year: int, flagged: list[FlaggedOfficial]) -> Outgoing:
    return Outgoing(chat_id, "office.officials", {"year": year, "items": [
        {"name": f.name, "post": f.post, "unit": f.unit, "count": f.count,
         "tickets": f.tickets} for f in flagged]})
