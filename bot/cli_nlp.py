"""`zhiyong classify` and `zhiyong nlp train|eval|bench`: the NLP side of the command line.

Why a separate module: bot/cli.py adds these commands to its group; they also work alone
(ctx.obj None → built-in defaults), which is how the tests drive them.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import click

import nlp as nlpkg
from nlp.dataset import DatasetError, iter_rows
from nlp.errors import ModelError


def classifier_options(settings: Any, model_dir: str | None = None) -> dict[str, Any]:
    """nlp.load_classifier keyword arguments from config.toml's [nlp], departments, categories."""
    cfg = settings.nlp
    chosen = model_dir or cfg.model_dir
    return {
        "model_dir": Path(chosen) if chosen else None,
        "threshold": cfg.threshold,
        "department_keywords": {k: list(d.keywords) for k, d in settings.departments.items()},
        "category_keywords": {k: list(c.keywords) for k, c in settings.categories.items()},
        "urgent_keywords": list(cfg.urgent_keywords),
    }


def load_from_settings(settings: Any, model_dir: str | None = None) -> nlpkg.Classifier:
    """The classifier config.toml describes (what the composition root injects)."""
    return nlpkg.load_classifier(**classifier_options(settings, model_dir))


def _classifier(ctx: click.Context, model_dir: str | None = None) -> nlpkg.Classifier:
    """From the group's settings when there is one, else the defaults; --model wins."""
    root = ctx.find_root()
    obj = root.obj
    if obj is not None and hasattr(obj, "settings") and not _default_config_absent(root):
        return load_from_settings(obj.settings(), model_dir)
    return nlpkg.load_classifier(model_dir=Path(model_dir) if model_dir else None)


def _default_config_absent(root: click.Context) -> bool:
    """No --config given and no ./config.toml: the built-in lexicon and model are enough."""
    path = root.params.get("config_path")
    if path is None or Path(path).exists():
        return False
    return root.get_parameter_source("config_path") == click.core.ParameterSource.DEFAULT


def _public(c: nlpkg.Classification) -> dict[str, Any]:
    """The documented JSON shape (plus evidence and triaged, which staff read)."""
    return {"category": c.category, "category_unconfirmed": c.category_unconfirmed,
            "department": c.department, "urgent": c.urgent, "danger": c.danger,
            "tags": c.tags, "confidence": {k: round(v, 4) for k, v in c.confidence.items()},
            "triaged": c.triaged, "evidence": c.evidence}


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False)


@click.command()
@click.argument("text", required=False)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Classify every row of this CSV; prints JSON lines in input order.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default="id", show_default=True)
@click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
              help="Model directory (default: config.toml [nlp].model_dir, else the shipped one).")
@click.pass_context
def classify(ctx: click.Context, text: str | None, csv_path: str | None, text_column: str,
             id_column: str, model_dir: str | None) -> None:
    """Classify TEXT (or every row of --csv) and print JSON."""
    if (text is None) == (csv_path is None):
        raise click.UsageError("give either TEXT or --csv FILE")
    try:
        if csv_path is None:
            if not text or not text.strip():
                raise click.ClickException("empty text")
            click.echo(_dump(_public(_classifier(ctx, model_dir).classify(text))))
        else:
            _classify_csv(ctx, model_dir, csv_path, text_column, id_column)
    except (DatasetError, ModelError) as exc:
        raise click.ClickException(str(exc)) from exc


def _classify_csv(ctx: click.Context, model_dir: str | None, path: str, text_column: str,
                  id_column: str) -> None:
    """One JSON line per row, in input order; an empty text gives an `error` row, not a crash."""
    rows = iter_rows(path, (text_column,))
    first = next(rows, None)          # file and column errors before the model loads
    clf = _classifier(ctx, model_dir)
    out = sys.stdout
    for row in itertools.chain([first] if first is not None else [], rows):
        rec: dict[str, Any] = {"id": row[id_column]} if id_column in row else {}
        text = row[text_column]
        if text.strip():
            rec.update(_public(clf.classify(text)))
        else:
            rec["error"] = "empty text"
        out.write(_dump(rec) + "\n")
    out.flush()


@click.group(name="nlp")
def nlp() -> None:
    """Train, evaluate and benchmark the complaint classifier."""



def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@nlp.command()
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Labelled CSV to train on.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default=None, help="Column with the labels to learn.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Model directory to write (default with --default: the shipped nlp/model).")
@click.option("--default", "default", is_flag=True,
              help="Rebuild the shipped category/department/urgent model from nlp/corpus/*.csv.")
@click.option("--with-corrections", "with_corrections", is_flag=True,
              help="With --default: add the office's triage corrections from the database.")
@click.option("--corrections", "corrections_csv", type=click.Path(dir_okay=False), default=None,
              help="With --default: add the corrections of an export file instead "
                   "(`zhiyong nlp corrections export`).")
@click.pass_context
def train(ctx: click.Context, csv_path: str | None, text_column: str, label_column: str | None,
          out_dir: str | None, default: bool, with_corrections: bool,
          corrections_csv: str | None) -> None:
    """Train a model: any label set from --csv, or the shipped one with --default."""
    from nlp.default import build_default
    from nlp.train import train_csv

    log = _stderr
    try:
        if default:
            if csv_path is not None:
                raise click.UsageError("--default trains on the shipped corpus; drop --csv")
            corrected, source = _corrected(ctx, with_corrections, corrections_csv)
            held = build_default(Path(out_dir) if out_dir else None, log=log,
                                 corrected=corrected, source=source)
            click.echo(json.dumps(held, ensure_ascii=False))
            return
        if with_corrections or corrections_csv:
            raise click.UsageError("corrections train the shipped model: add --default")
        if csv_path is None or label_column is None or out_dir is None:
            raise click.UsageError("give --csv, --label-column and --out (or --default)")
        report = train_csv(Path(csv_path), text_column, label_column, Path(out_dir), log=log)
        click.echo(json.dumps(report, ensure_ascii=False))
    except (DatasetError, OSError) as exc:
        raise _fail(exc) from exc


def _corrected(ctx: click.Context, from_db: bool, path: str | None
               ) -> tuple[list[Any] | None, str]:
    """The corrections as corpus examples (None: train without), and where they came from."""
    from nlp.corrections import read_export, to_examples

    if not from_db and path is None:
        return None, ""
    if path is not None:
        labels, source = read_export(Path(path)), Path(path).name
    else:
        from bot.cli_office import stored_labels
        labels, source = stored_labels(ctx.find_root().obj), "database"
    examples, skipped = to_examples(labels, _classifier(ctx).classify)
    _stderr(f"corrections: {len(labels)} from {source}, {len(examples)} texts"
            + (f", {skipped} not trainable (unknown label)" if skipped else ""))
    return examples, source


@nlp.command(name="eval")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Labelled CSV (text and label columns).")
@click.option("--labels", "labels_path", type=click.Path(dir_okay=False), default=None,
              help="Readers' labels (id, department, allowed_departments, category, urgent); "
                   "joined to --texts by id.")
@click.option("--texts", "texts_path", type=click.Path(dir_okay=False), default=None,
              help="CSV with the texts of --labels (id and text columns).")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
              help="Model directory (default: the configured / shipped model).")
@click.option("--id-column", default="id", show_default=True)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default=None, help="With --csv: the column to score.")
@click.option("--errors", "show_errors", type=click.Choice(["category", "department", "urgent"]),
              default=None, help="With --labels: also print the rows this field got wrong.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@click.pass_context
def evaluate(ctx: click.Context, csv_path: str | None, labels_path: str | None,
             texts_path: str | None, model_dir: str | None, id_column: str, text_column: str,
             label_column: str | None, show_errors: str | None, as_json: bool) -> None:
    """Score the classifier: --csv with --label-column (accuracy, macro-F1, per class,
    confusion), or --labels with --texts (department compatible/strict, category accuracy,
    conduct-vs-other F1, urgent recall/precision/flagged rate, confusion tables)."""
    from nlp.evaluate import format_report
    from nlp.scoring import evaluate_csv

    if labels_path is not None:
        if texts_path is None or csv_path is not None:
            raise click.UsageError("--labels needs --texts (and no --csv)")
        _evaluate_judged(ctx, Path(labels_path), Path(texts_path), model_dir, id_column,
                         text_column, show_errors, as_json)
        return
    if csv_path is None or label_column is None:
        raise click.UsageError("give --csv and --label-column, or --labels and --texts")
    try:
        result = evaluate_csv(Path(csv_path), text_column, label_column, _classifier(ctx, model_dir))
    except (DatasetError, ModelError) as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(format_report(label_column, result))


def _evaluate_judged(ctx: click.Context, labels: Path, texts: Path, model_dir: str | None,
                     id_column: str, text_column: str, show_errors: str | None,
                     as_json: bool) -> None:
    from nlp.realeval import errors, format_real_report, load_judged, score

    try:
        judged = load_judged(labels, texts, id_column, text_column)
        clf = _classifier(ctx, model_dir)
    except (DatasetError, ModelError) as exc:
        raise _fail(exc) from exc
    results = [clf.classify(j.text) for j in judged]
    result = score(judged, results)
    wrong = errors(judged, results, show_errors) if show_errors else []
    if as_json:
        click.echo(json.dumps({**result, **({"errors": wrong} if show_errors else {})},
                              ensure_ascii=False))
        return
    click.echo(format_real_report(result))
    for e in wrong:
        click.echo(f"\n{e['id']} readers {e['want']} / classifier {e['got']}  {'；'.join(e['evidence'])}"
                   f"\n  {e['text'][:300]}")


@nlp.command()
@click.option("--n", "count", default=20000, show_default=True, help="Complaints to classify.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None)
@click.option("--json", "as_json", is_flag=True)
def bench(count: int, model_dir: str | None, as_json: bool) -> None:
    """Throughput (complaints/s, one core, after load), cold-load time and peak RSS."""
    from nlp.bench import run

    try:
        result = run(count, model_dir)
    except RuntimeError as exc:
        raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"throughput: {result['throughput_per_s']:.0f} complaints/s "
               f"({result['us_per_text']:.0f} us each, {result['texts']} texts of "
               f"~{result['avg_chars']:.0f} chars, one core, CPU time, after load; "
               f"wall clock {result['wall_throughput_per_s']:.0f}/s)")
    click.echo(f"cold load:  {result['cold_load_s']:.3f} s")
    click.echo(f"peak RSS:   {result['peak_rss_mb']:.0f} MB")


def _stderr(message: str) -> None:
    click.echo(message, err=True)
