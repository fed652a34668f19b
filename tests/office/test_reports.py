"""The chart (drawn with the shipped CJK font, not tofu boxes), the /stats text, and the
ledger written by the real `zhiyong report` command: XLSX opened with openpyxl and compared
with the database, CSV, identity only on request, and an unwritable path."""

from __future__ import annotations

import csv
import itertools
import json
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from openpyxl import load_workbook

from bot.cli import main
from bot.config import Settings
from bot.reports.chart import figure, render_png
from bot.reports.font import FONT_FILE
from bot.reports.stats_text import stats_message
from tests.conftest import REPO
from tests.office.conftest import SHANGHAI, add_ticket, supervisor
from workflow.context import Context
from workflow.model import StaffMember, Ticket
from workflow.office import findings
from workflow.office.findings import Named
from workflow.office.kpis import KpiReport, kpi_of
from workflow.office.periods import parse
from workflow.office.readmodel import DepartmentCounts

H = timedelta(hours=1)
FEB = datetime(2023, 2, 6, 2, 0, tzinfo=UTC)          # the ledger tests' own period: 2023-02
DEPARTMENTS = {"housing": "住房和城乡建设局", "market": "市场监督管理局"}


def _report(rows: list[DepartmentCounts]) -> KpiReport:
    return KpiReport(parse("2026Q4", FEB, SHANGHAI), [kpi_of(c, 2.5) for c in rows])


def _drawn_texts(report: KpiReport) -> list[Text]:
    fig = figure(report, DEPARTMENTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # matplotlib warns on every missing glyph
        FigureCanvasAgg(fig).draw()
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def _has_glyphs(font_file: Path | str, text: str) -> bool:
    """Glyph index 0 is .notdef: the empty box a missing character is drawn as."""
    face = FT2Font(str(font_file))
    return all(face.get_char_index(ord(c)) != 0 for c in text if not c.isspace())


def test_chart_labels_are_drawn_with_the_shipped_cjk_font() -> None:
    report = _report([
        DepartmentCounts("housing", tickets=4, arrived=4, sign_decided=4, signed_on_time=3,
                         rated=2, satisfied=1, categories={"will_not": 3, "misconduct": 1}),
        DepartmentCounts("market", tickets=1, arrived=1, categories={"other": 1})])
    texts = _drawn_texts(report)
    chinese = [t for t in texts if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    shown = {t.get_text() for t in chinese}
    assert {"住房和城乡建设局", "市场监督管理局", "按时签收率", "不想为"} <= shown
    for t in chinese:
        assert Path(t.get_fontproperties().get_file()) == FONT_FILE, t.get_text()
        assert _has_glyphs(FONT_FILE, t.get_text()), t.get_text()
    assert "—" in {t.get_text() for t in texts}          # market has nothing rated
    assert FONT_FILE.is_relative_to(REPO / "bot")         # shipped with zhiyong, not the system


def test_the_glyph_check_would_catch_tofu() -> None:
    from matplotlib import font_manager

    latin_only = font_manager.findfont("DejaVu Sans")
    assert not _has_glyphs(latin_only, "住房和城乡建设局")


def test_an_empty_period_draws_a_chart_that_says_so() -> None:
    texts = [t.get_text() for t in _drawn_texts(_report([]))]
    assert texts == ["2026Q4：本期没有工单"]
    assert render_png(_report([]), DEPARTMENTS).startswith(b"\x89PNG\r\n\x1a\n")


def test_stats_text_shows_numerators_denominators_and_dashes(settings: Settings) -> None:
    from bot.app import build_app

    report = _report([DepartmentCounts("housing", tickets=4, arrived=4, sign_decided=4,
                                       signed_on_time=3)])
    out = stats_message(-1, report)
    text = build_app(settings).renderer.text(out.key, out.params)
    assert "住房和城乡建设局：4 | 75% (3/4) | — | — | 0" in text


# ---- the ledger, through the real command ------------------------------------------------

@dataclass
class Seeded:
    numbers: list[str]
    real_name: str
    period: str


_months = itertools.count(0)


@pytest.fixture
async def seeded(ctx: Context) -> Seeded:
    """Two tickets in a month of their own (February, 2010 onwards: one year per test)."""
    year = 2010 + next(_months)
    boss = await supervisor(ctx)
    FEB = datetime(year, 2, 6, 2, 0, tzinfo=UTC)  # noqa: N806
    a = await add_ticket(ctx, FEB, "housing", state="closed", sign_due=FEB + 8 * H,
                         signed_at=FEB + H, answer_due=FEB + 100 * H, answered_at=FEB + 200 * H,
                         rating="basic", closed_at=FEB + 300 * H)
    b = await add_ticket(ctx, FEB + H, "market", state="answered", anonymous=False,
                         sign_due=FEB + 8 * H)
    async with ctx.uow() as uow:
        await findings.record(ctx, uow, boss, a.id or 0, "substantiated",
                              [Named("赵六", "科长", "物业科", measure="admonition")])
        await findings.record(ctx, uow, boss, b.id or 0, "unfounded",
                              [Named('=HYPERLINK("http://x")', unit="=1+1")])
        await uow.commit()
    return Seeded([a.number, b.number], b.number, f"{year}-02")


def _run(settings: Settings, *args: str) -> tuple[int, str]:
    env = {"ZHIYONG_STORAGE__URL": settings.storage.url}
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), *args], env=env)
    return result.exit_code, result.output


def test_xlsx_ledger_rows_match_the_database(seeded: Seeded, office_settings: Settings,
                                             tmp_path: Path) -> None:
    out = tmp_path / "ledger.xlsx"
    code, output = _run(office_settings, "report", "--period", seeded.period, "--out", str(out))
    assert code == 0, output
    assert f"wrote 2 tickets of {seeded.period}" in output
    wb = load_workbook(out)
    assert wb.sheetnames == ["问题台账", "部门考核", "重复投诉人员"]
    sheet = wb["问题台账"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("工单编号", "受理时间", "类别", "承办部门") and "投诉人姓名" not in rows[0]
    assert [r[0] for r in rows[1:]] == seeded.numbers
    first = dict(zip(rows[0], rows[1], strict=True))
    year = int(seeded.period[:4])
    assert first["受理时间"] == datetime(year, 2, 6, 10, 0)          # a real date, city time
    assert sheet["B2"].is_date and sheet["B3"].is_date              # written / streamed
    assert sheet["B3"].value == datetime(year, 2, 6, 11, 0)
    assert sheet["G3"].number_format == sheet["G2"].number_format
    assert (first["签收是否按时"], first["答复是否按时"]) == ("按时", "超期")
    assert (first["评价"], first["核查结论"]) == ("基本满意", "属实")
    assert first["问责措施"] == "赵六（承办人）：诫勉"
    assert sheet["P3"].data_type == "s" and sheet["P3"].value.startswith('=HYPERLINK')
    assert sheet.column_dimensions["A"].width >= len(seeded.numbers[0])
    kpis = {r[1]: r for r in wb["部门考核"].iter_rows(min_row=2, values_only=True)}
    assert kpis["住房和城乡建设局"][2:5] == (0, 1, "100% (1/1)")
    assert kpis["税务局"][6] == "—"
    assert not list(tmp_path.glob(".*.part"))


def test_identity_only_with_the_flag_and_only_real_name(seeded: Seeded, office_settings: Settings,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "ledger-id.xlsx"
    code, output = _run(office_settings, "report", "--period", seeded.period, "--out", str(out),
                        "--with-identity")
    assert code == 0, output
    rows = list(load_workbook(out)["问题台账"].iter_rows(values_only=True))
    people = {r[0]: r[-2:] for r in rows[1:]}
    assert people[seeded.real_name] == ("王 实名", "13900001111")
    assert [v for n, v in people.items() if n != seeded.real_name] == [(None, None)]


async def test_identity_exports_are_audited(seeded: Seeded, ctx: Context,
                                            office_settings: Settings, tmp_path: Path) -> None:
    from bot.cli_office import write_report

    await write_report(ctx, office_settings, seeded.period, tmp_path / "a.xlsx", "xlsx", True)
    async with ctx.uow() as uow:
        t = await uow.tickets.by_number(seeded.real_name)
        seen = await uow.audit.for_ticket(t.id or 0) if t else []
    assert [v.purpose for v in seen] == ["export"] and seen[0].viewer.startswith("cli:")


def test_csv_ledger(seeded: Seeded, office_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "ledger.csv"
    code, output = _run(office_settings, "report", "--period", seeded.period, "--out", str(out))
    assert code == 0, output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["工单编号"] for r in rows] == seeded.numbers
    assert rows[0]["受理时间"] == f"{seeded.period}-06 10:00" and rows[0]["核查结论"] == "属实"
    assert rows[1]["问责措施"].startswith("'=HYPERLINK")      # text, never a formula


@pytest.mark.parametrize("where", ["missing/ledger.xlsx", "file.txt/ledger.xlsx"])
def test_an_unwritable_path_is_one_clear_line_and_leaves_nothing(
        where: str, office_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "adir").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    code, output = _run(office_settings, "report", "--period", "2023-02", "--out",
                        str(tmp_path / where))
    assert code != 0
    assert output.startswith("Error: cannot write ") and output.count("\n") == 1, output
    assert "Traceback" not in output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_failure_after_writing_leaves_neither_a_part_file_nor_a_half_report(
        tmp_path: Path) -> None:
    from bot.reports.ledger_file import ReportPathError, atomic_write

    (tmp_path / "adir").mkdir()
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"the previous report")

    def disk_full(tmp: Path) -> None:
        tmp.write_bytes(b"half a report")
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportPathError, match="No space left"):
        atomic_write(old, disk_full)
    with pytest.raises(ReportPathError, match="cannot write"):
        atomic_write(tmp_path / "adir", lambda tmp: tmp.write_bytes(b"x"))   # rename fails
    assert old.read_bytes() == b"the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "old.xlsx"]


@pytest.mark.parametrize("period", ["2026Q5", "2026-13", "month=13"])
def test_a_bad_period_is_refused(period: str, office_settings: Settings,
                                 tmp_path: Path) -> None:
    code, output = _run(office_settings, "report", "--period", period, "--out",
                        str(tmp_path / "x.xlsx"))
    assert code != 0 and f"bad period {period!r}" in output
    assert not list(tmp_path.iterdir())


@pytest.fixture
async def corrected(ctx: Context) -> tuple[Ticket, StaffMember]:
    from workflow.office import corrections

    boss = await supervisor(ctx)
    t = await add_ticket(ctx, FEB, "supervision", state="triage")
    async with ctx.uow() as uow:
        await corrections.record(ctx, uow, boss, t.id or 0, "category", "misconduct")
        await uow.commit()
    return t, boss


def test_corrections_export(corrected: tuple[Ticket, StaffMember], office_settings: Settings,
                            tmp_path: Path) -> None:
    t, boss = corrected
    out = tmp_path / "corrections.csv"
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "nlp",
                                       "corrections", "export", "--out", str(out)],
                                env={"ZHIYONG_STORAGE__URL": office_settings.storage.url})
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["ticket", "text", "field", "old", "new", "by", "at"]
    mine = [r for r in rows if r["ticket"] == t.number]
    assert mine == [{"ticket": t.number, "text": t.text, "field": "category",
                     "old": "will_not", "new": "misconduct", "by": str(boss.telegram_id),
                     "at": mine[0]["at"]}]
    assert datetime.fromisoformat(mine[0]["at"]).tzinfo is not None


@pytest.mark.backends("postgresql")   # one retrain is enough: the rows read are the export's
def test_retrain_with_the_stored_corrections(corrected: tuple[Ticket, StaffMember],
                                            office_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "model"
    args = ["--config", str(REPO / "config.toml"), "nlp", "train", "--default",
            "--with-corrections", "--out", str(out)]
    env = {"ZHIYONG_STORAGE__URL": office_settings.storage.url}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert set(figures["before"]) == set(figures["heldout"]) >= {"category_macro_f1"}
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["trained_with_corrections"] is True and meta["corrections"]["source"] == "database"
    assert meta["corrections"]["count"] + meta["corrections"]["left_out_heldout"] >= 1
    assert meta["heldout_before_corrections"] == figures["before"]
    refused = CliRunner().invoke(main, args[:4] + ["--with-corrections"], env=env)
    assert refused.exit_code == 2 and "add --default" in refused.output


def test_bench_report_prints_its_figures(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.toml"), "bench", "report",
                                       "--tickets", "300"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["rows_written"] == 300 and figures["report_s"] > 0
