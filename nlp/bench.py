"""`zhiyong nlp bench`: throughput after load, cold-load time and peak RSS, in a fresh process.

Throughput is counted on the process's CPU time (one thread, pinned to one core), so a busy
machine does not make it look slower than it is; wall-clock throughput is reported alongside.

Why a child process: cold load and peak RSS only mean something in an interpreter that has
not already imported the model (or scikit-learn, which the CLI may have loaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SINGLE_CORE_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def sample_texts(n: int, length: int = 100) -> list[str]:
    """n complaints of ~`length` characters, cut from the shipped corpus (deterministic)."""
    from nlp.corpus import load_corpus

    stream = "".join(e.text for e in load_corpus())
    step = max(1, (len(stream) - length) // max(n, 1))
    return [stream[(i * step) % (len(stream) - length):][:length] for i in range(n)]


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(n: int, model_dir: str | None) -> dict[str, Any]:
    """Runs in the fresh process: load, warm up, classify n texts, report."""
    started = time.perf_counter()
    import nlp

    nlp.configure(model_dir=Path(model_dir) if model_dir else None)
    nlp.classify("load")
    cold = time.perf_counter() - started
    texts = sample_texts(n)
    clf = nlp.current()
    for t in texts[:200]:
        clf.classify(t)
    t0, c0 = time.perf_counter(), time.process_time()
    for t in texts:
        clf.classify(t)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"texts": n, "avg_chars": round(sum(map(len, texts)) / n, 1),
            "throughput_per_s": round(n / cpu, 1), "us_per_text": round(cpu / n * 1e6, 1),
            "wall_throughput_per_s": round(n / elapsed, 1),
            "cold_load_s": round(cold, 3), "peak_rss_mb": round(_peak_rss_mb(), 1)}


def run(n: int = 20000, model_dir: str | None = None) -> dict[str, Any]:
    """Benchmark in a child interpreter pinned to one core when the OS allows it."""
    cmd = [sys.executable, "-m", "nlp.bench", str(n)] + ([model_dir] if model_dir else [])
    env = {**os.environ, **SINGLE_CORE_ENV}
    pin = hasattr(os, "sched_setaffinity")
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False,
                          preexec_fn=(lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if pin else None)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "bench failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)))
