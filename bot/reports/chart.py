"""The /stats chart: per department the three main rates as bars, and the category mix.

matplotlib with the Agg backend (no display); every label is drawn with the shipped CJK
font. An empty period draws a picture that says so. Texts come from bot/templates.py.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

from bot.reports.font import cjk_font  # noqa: E402
from bot.templates import CATEGORY_NAMES, NO_VALUE, TEXTS  # noqa: E402
from workflow.office.kpis import DepartmentKpi, KpiReport  # noqa: E402

RATE_KEYS = ("chart.rate.sign", "chart.rate.answer", "chart.rate.satisfaction")
COLOURS = ("#4C78A8", "#F58518", "#54A24B")
CATEGORY_COLOURS = {"cannot": "#9ecae9", "will_not": "#f58518", "dare_not": "#e45756",
                    "misconduct": "#b279a2", "other": "#bab0ac"}


def _text(key: str, **params: object) -> str:
    template = TEXTS[key]
    assert isinstance(template, str)
    return template.format(**params)


def figure(report: KpiReport, departments: Mapping[str, str]) -> Figure:
    rows = [r for r in report.rows if r.tickets or r.received]
    return _empty(report) if not rows else _chart(report, rows, departments)


def render_png(report: KpiReport, departments: Mapping[str, str]) -> bytes:
    """The chart as PNG bytes."""
    fig = figure(report, departments)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _empty(report: KpiReport) -> Figure:
    fig = Figure(figsize=(6, 2.5))
    fig.text(0.5, 0.5, _text("chart.empty", period=report.period.label), ha="center",
             va="center", fontproperties=cjk_font(), fontsize=16)
    return fig


def _chart(report: KpiReport, rows: list[DepartmentKpi], departments: Mapping[str, str]
           ) -> Figure:
    font = cjk_font()
    names = [departments.get(r.department, r.department) for r in rows]
    fig = Figure(figsize=(12, 2.0 + 0.6 * len(rows)), layout="constrained")
    rates, mix = fig.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    fig.suptitle(_text("chart.title", period=report.period.label), fontproperties=font,
                 fontsize=14)
    height = 0.8 / len(RATE_KEYS)
    for i, (key, colour) in enumerate(zip(RATE_KEYS, COLOURS, strict=True)):
        values = [r.main_rates[i].value for r in rows]
        ys = [n + (i - 1) * height for n in range(len(rows))]
        rates.barh(ys, [(v or 0.0) * 100 for v in values], height=height, color=colour,
                   label=_text(key))
        for y, v in zip(ys, values, strict=True):     # nothing to rate is "—", not 0 %
            rates.text((v or 0.0) * 100 + 1, y, NO_VALUE if v is None else f"{v:.0%}",
                       va="center", fontproperties=font, fontsize=7)
    rates.set_yticks(range(len(rows)), names, fontproperties=font)
    rates.invert_yaxis()
    rates.set_xlim(0, 112)
    rates.set_title(_text("chart.rates"), fontproperties=font)
    rates.legend(prop=font, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3,
                 fontsize=8, frameon=False)
    left = [0] * len(rows)
    for category, colour in CATEGORY_COLOURS.items():
        counts = [r.categories.get(category, 0) for r in rows]
        mix.barh(range(len(rows)), counts, left=left, color=colour,
                 label=CATEGORY_NAMES[category])
        left = [a + b for a, b in zip(left, counts, strict=True)]
    mix.set_title(_text("chart.mix"), fontproperties=font)
    mix.legend(prop=font, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=5,
               fontsize=8, frameon=False)
    for ax in (rates, mix):
        for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
            label.set_fontproperties(font)
    return fig
