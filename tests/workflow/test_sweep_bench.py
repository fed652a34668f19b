"""`zhiyong bench sweep` at a small size: one JSON line per sweep, and the claim uses the index."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.cli import main


def test_bench_sweep_prints_json_lines_and_the_plan(repo_root: object) -> None:
    result = CliRunner().invoke(main, ["bench", "sweep", "--rows", "3000", "--open", "300",
                                       "--due", "0,50"])
    assert result.exit_code == 0, result.output
    found = [json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    lines = [x for x in found if "sweep_ms" in x]
    scrape = [x for x in found if "metrics_figures_ms" in x]
    assert len(scrape) == 1 and scrape[0]["outbox_rows"] >= 50, found
    assert [(x["db"], x["rows"], x["open"], x["due"]) for x in lines] == [
        ("sqlite", 3000, 300, 0), ("sqlite", 3000, 300, 50)]
    assert all(x["sweep_ms"] >= 0 for x in lines) and lines[1]["notices"] == 50
    assert "ix_scheduled_action_status_due_at" in result.output
