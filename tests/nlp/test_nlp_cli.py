"""The CLI contract: `classify` (text and CSV) and `nlp train|eval|bench`, and their errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli_nlp import classify, nlp

KEYS = {"category", "department", "urgent", "tags", "confidence"}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_classify_text_prints_one_json_object(model_dir: Path) -> None:
    r = CliRunner().invoke(classify, ["--model", str(model_dir), "物業推諉扯皮，樓道裡有煤氣味"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert KEYS <= set(out) and isinstance(out["urgent"], bool)
    assert set(out["confidence"]) == {"category", "department", "urgent"}


def test_classify_csv_keeps_order_ids_newlines_and_empty_rows(model_dir: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", [
        {"id": "a1", "text": "派出所户籍窗口\n一问三不知，跑了三趟"},
        {"id": "a2", "text": ""},
        {"id": "a3", "text": "窗口的人暗示要好处费才给盖章"},
    ])
    r = CliRunner().invoke(classify, ["--model", str(model_dir), "--csv", str(src)])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["id"] for x in lines] == ["a1", "a2", "a3"]
    assert "error" in lines[1] and KEYS <= set(lines[0]) and lines[2]["category"] == "misconduct"


def test_classify_csv_custom_columns_and_no_id(model_dir: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", [{"body": "小区物业乱收停车费"}, {"body": "路灯坏了一个月"}])
    r = CliRunner().invoke(classify, ["--model", str(model_dir), "--csv", str(src), "--text-column", "body"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert len(lines) == 2 and all("id" not in x for x in lines)


def test_classify_csv_ten_thousand_rows(model_dir: Path, tmp_path: Path) -> None:
    rows = [{"id": str(i), "text": f"第{i}号投诉：小区物业推诿扯皮，电梯坏了{i % 30}天没人修"} for i in range(10_000)]
    r = CliRunner().invoke(classify, ["--model", str(model_dir), "--csv", str(_write(tmp_path / "big.csv", rows))])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert len(lines) == 10_000 and json.loads(lines[-1])["id"] == "9999"


@pytest.mark.parametrize(("args", "message"), [
    (["--csv", "/nonexistent/x.csv"], "no such CSV file"),
    (["--csv", "{csv}", "--text-column", "nope"], "missing column"),
    (["--csv", "{gbk}"], "not UTF-8"),
    ([], "either TEXT or --csv"),
])
def test_classify_errors_are_clear(model_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    src = _write(tmp_path / "in.csv", [{"text": "路灯坏了"}])
    (tmp_path / "gbk.csv").write_bytes("text\n路灯坏了\n".encode("gbk"))
    args = [a.replace("{gbk}", str(tmp_path / "gbk.csv")) for a in args]
    args = [a.replace("{csv}", str(src)) for a in args]
    r = CliRunner().invoke(classify, ["--model", str(model_dir), *args])
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output


def test_missing_model_names_the_rebuild_command(tmp_path: Path) -> None:
    r = CliRunner().invoke(classify, ["--model", str(tmp_path / "none"), "路灯坏了"])
    assert r.exit_code != 0 and "zhiyong nlp train --default" in r.output


def _labelled(tmp_path: Path) -> Path:
    topics = {"water": ["停水", "水压低", "自来水发黄", "水管爆了"], "road": ["路面坑洼", "修路", "红绿灯坏", "人行道破"],
              "noise": ["装修噪音", "广场舞太吵", "工地夜间施工", "酒吧音乐吵"]}
    rows = [{"text": f"{w}，第{i}次反映了，{place}还是这样", "topic": t}
            for t, words in topics.items() for i, w in enumerate(words * 5) for place in ("东区", "西区")]
    return _write(tmp_path / "train.csv", rows)


def test_train_and_eval_any_label_set(tmp_path: Path) -> None:
    src, out = _labelled(tmp_path), tmp_path / "m"
    r = CliRunner().invoke(nlp, ["train", "--csv", str(src), "--label-column", "topic", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "meta.json").is_file()
    r = CliRunner().invoke(nlp, ["eval", "--csv", str(src), "--model", str(out), "--label-column", "topic", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert result["accuracy"] > 0.9 and set(result["per_class"]) == {"water", "road", "noise"}
    assert {"precision", "recall", "f1"} <= set(result["per_class"]["water"])
    r = CliRunner().invoke(nlp, ["eval", "--csv", str(src), "--model", str(out), "--label-column", "topic"])
    assert r.exit_code == 0 and "macro-F1" in r.output and "confusion" in r.output


def test_eval_of_the_pipeline_on_corpus_fields(model_dir: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "e.csv", [
        {"text": "窗口的人要好处费才给办", "urgent": "0"},
        {"text": "楼道里一股煤气味，怕是漏气了", "urgent": "1"},
        {"text": "路灯坏了", "urgent": "false"},
        {"text": "工地拖欠工资，马上过年了，工人没钱吃饭", "urgent": "true"},
    ])
    r = CliRunner().invoke(nlp, ["eval", "--csv", str(src), "--model", str(model_dir), "--label-column", "urgent", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["per_class"]["1"]["recall"] == 1.0


@pytest.mark.parametrize(("args", "message"), [
    (["train", "--csv", "/nonexistent.csv", "--label-column", "x", "--out", "{tmp}/m"], "no such CSV file"),
    (["train", "--csv", "{csv}", "--label-column", "nope", "--out", "{tmp}/m"], "missing column"),
    (["train", "--csv", "{csv}", "--label-column", "one", "--out", "{tmp}/m"], "fewer than two"),
    (["train", "--csv", "{csv}"], "--label-column"),
    (["eval", "--csv", "{csv}", "--model", "{tmp}/none", "--label-column", "topic"], "nlp train"),
    (["eval", "--csv", "{csv}", "--model", "{model}", "--label-column", "nope"], "missing column"),
    (["eval", "--csv", "{csv}", "--model", "{model}", "--label-column", "topic"], "no head"),
])
def test_train_and_eval_errors_are_clear(model_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    src = _labelled(tmp_path)
    rows = list(csv.DictReader(src.open(encoding="utf-8")))
    _write(src, [{**r, "one": "same"} for r in rows])
    args = [a.replace("{csv}", str(src)).replace("{tmp}", str(tmp_path)).replace("{model}", str(model_dir))
            for a in args]
    r = CliRunner().invoke(nlp, args)
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output


@pytest.mark.slow
def test_bench_reports_throughput_load_and_rss(model_dir: Path) -> None:
    r = CliRunner().invoke(nlp, ["bench", "--n", "3000", "--model", str(model_dir), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["throughput_per_s"] > 1000 and out["cold_load_s"] < 1.5 and out["peak_rss_mb"] < 250


def test_through_the_main_group_without_a_config_file(model_dir: Path) -> None:
    from bot.cli import main

    runner = CliRunner()
    with runner.isolated_filesystem():
        r = runner.invoke(main, ["classify", "--model", str(model_dir), "路灯坏了"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["department"]
        r = runner.invoke(main, ["--config", "missing.toml", "classify", "路灯坏了"])
        assert r.exit_code != 0 and "missing.toml" in r.output


def test_eval_of_readers_labels_joined_to_texts(model_dir: Path, tmp_path: Path) -> None:
    texts = _write(tmp_path / "texts.csv", [
        {"id": "m1", "text": "请问新生儿上户口需要带什么材料？"},
        {"id": "m2", "text": "三楼楼道现在一股很浓的煤气味，敲门没人应"},
        {"id": "m3", "text": "区住建局推诿扯皮，维修基金申请半年没批"},
        {"id": "m4", "text": "小区门口的路灯坏了两个礼拜了，请派人修一下"},
    ])
    labels = _write(tmp_path / "labels.csv", [
        {"id": "m1", "department": "police", "allowed_departments": "police", "category": "other", "urgent": "0"},
        {"id": "m2", "department": "housing", "allowed_departments": "housing", "category": "other", "urgent": "1"},
        {"id": "m3", "department": "", "allowed_departments": "housing supervision", "category": "will_not", "urgent": "0"},
        {"id": "m4", "department": "urban", "allowed_departments": "urban", "category": "", "urgent": ""},
    ])
    args = ["eval", "--labels", str(labels), "--texts", str(texts), "--model", str(model_dir)]
    r = CliRunner().invoke(nlp, [*args, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["n"] == 4 and out["urgent"]["recall"] == 1.0 and out["urgent"]["flagged_share"] == 0.3333
    assert {"department_compatible", "department_strict", "category_accuracy", "conduct_vs_other"} <= set(out)
    r = CliRunner().invoke(nlp, [*args, "--errors", "category"])
    assert r.exit_code == 0 and "department compatible" in r.output and "confusion" in r.output


def test_eval_labels_errors_are_clear(model_dir: Path, tmp_path: Path) -> None:
    texts = _write(tmp_path / "texts.csv", [{"id": "m1", "text": "路灯坏了"}])
    labels = _write(tmp_path / "labels.csv", [{"id": "zz", "department": "urban", "allowed_departments": "urban",
                                              "category": "other", "urgent": "0"}])
    r = CliRunner().invoke(nlp, ["eval", "--labels", str(labels), "--texts", str(texts), "--model", str(model_dir)])
    assert r.exit_code != 0 and "has no row" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(nlp, ["eval", "--labels", str(labels)])
    assert r.exit_code != 0 and "--texts" in r.output
