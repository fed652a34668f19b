"""`zhiyong bench intake` runs end to end and prints what it promises (slow: two bot processes)."""

from __future__ import annotations

import pytest

from bot.bench_intake import REPO, run_bench


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_bench_intake_prints_both_bots_and_the_ratio(
        framework: str, capsys: pytest.CaptureFixture[str]) -> None:
    echo, real, ratio = await run_bench(framework, None, 20, REPO)
    for line in (echo, real):
        assert line["unanswered"] == 0 and line["locked"] == 0 and line["tracebacks"] == 0
        assert line["updates"] == 140 and line["cpu_ms_per_update"] > 0
        assert set(line["latency_ms"]["confirm"]) == {"p50", "p95", "p99"}
    assert 0 < ratio["ratio"] and capsys.readouterr().out.count("\n") == 3
