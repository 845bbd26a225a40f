"""PDF letters per second: a batch of N letters (500 by default), each rendered and written to its own
file, the way `plainte batch --format pdf` works. Also the combined PDF of the same batch, and the
one-off cost of the first letter in a process (importing reportlab, registering the font).

    python benchmarks/pdf.py            N=200 python benchmarks/pdf.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml
from batch import busy_note  # benchmarks/batch.py: run as a script, this folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("N", "500"))
TODAY = dt.date(2026, 11, 21)
TARGET = 100  # PDFs per second, one file each


def main() -> None:
    start = time.perf_counter()
    from plainte.catalog import load
    from plainte.interview import build_case
    from plainte.outputs import write_atomic
    from plainte.pdf import render_pdf, render_pdf_many

    cat = load()
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    cases = [build_case(yaml.safe_load(p.read_text(encoding="utf-8")), cat, today=TODAY) for p in examples]
    batch = [cases[i % len(cases)] for i in range(N)]
    first = time.perf_counter()
    render_pdf(cases[0], cat)
    first_ms = (time.perf_counter() - first) * 1000
    setup_ms = (first - start) * 1000

    with tempfile.TemporaryDirectory(prefix="plainte-bench-") as folder:
        c0 = time.process_time()
        t0 = time.perf_counter()
        size = 0
        for i, case in enumerate(batch):
            data = render_pdf(case, cat)
            write_atomic(Path(folder) / f"letter-{i:04d}.pdf", data)
            size += len(data)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0

    t1 = time.perf_counter()
    combined = render_pdf_many(batch, cat)
    combined_s = time.perf_counter() - t1

    print(f"python {sys.version.split()[0]}, {len(cases)} example letters cycled, batch of {N}")
    print(f"setup (imports, catalogue, cases): {setup_ms:.0f} ms; first letter (font registration): {first_ms:.1f} ms")
    busy = busy_note()
    try:
        import _rl_accel  # noqa: F401 - reportlab's C helpers (the accel extra)
        accel = "with rl_accel"
    except ImportError:
        accel = "WITHOUT rl_accel (pip install 'reportlab[accel]')"
    print(f"one file per letter: {N / elapsed:.0f} PDFs/s ({elapsed / N * 1000:.2f} ms each, {size / N / 1024:.0f} KiB each; "
          f"target >= {TARGET}/s: {'ok' if N / elapsed >= TARGET else 'MISSED'}){busy}")
    print(f"    CPU time {cpu / N * 1000:.2f} ms each: {N / cpu:.0f} PDFs/s on an idle core; reportlab {accel}")
    print(f"one combined PDF: {N / combined_s:.0f} letters/s ({combined_s:.2f} s, {len(combined) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
