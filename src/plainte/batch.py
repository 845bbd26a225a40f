"""Batch letters: one letter set per row of a spreadsheet (CSV), a JSON Lines file or a YAML/JSON list.

Each row is an answers mapping, validated on its own by `interview.build_case` (the wizard's validators).
Valid rows become letters; invalid rows are reported with the line where they start in the input file, the
column (the dotted answers key) and the message, in the UI language. Nothing is ever lost or duplicated:

- a letter's file name is `letter_stem(...)` plus a short hash of the row's validated, typed answers, so
  "245,80" and "245.80" name the same letter, and running the same input again writes nothing new
  (the rows are reported as skipped); `force` renders them again and replaces the files;
- every file is written atomically (`outputs.write_atomic`, mode 0600): a run killed half-way leaves no
  partial letter, and the next run writes the rest. The files are not flushed to the disk one by one: the run
  hands them to the disk every half second (batch_writes.Flusher) and syncs at its end. A letter cut short by
  a power loss before that (empty, or without its format's ending) is written again by the next run;
- two identical rows give one letter set; the second is reported as a duplicate of the first.

Rows are streamed and the report is written as the run goes: memory does not grow with the input (only the
set of short hashes does). `run_batch` is the entry point for `plainte batch`; `template_csv` writes the
empty sheet a dispute needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from plainte.batch_columns import NESTED_KEYS, known_column
from plainte.batch_engine import ERROR, HASH_CHARS, OK, SKIPPED, WARNING, _Engine, case_digest
from plainte.batch_jobs import AUTO_ROWS, CHUNK_ROWS, _fork_available, _run_here, _run_workers, auto_jobs
from plainte.batch_report import Report
from plainte.batch_sources import CSV_SUFFIXES, JSONL_SUFFIXES, LIST_SUFFIXES, open_rows
from plainte.batch_tally import PROGRESS_SECONDS, Progress, Recorder, _Tally
from plainte.batch_template import EVIDENCE_SEPARATOR, template_csv
from plainte.batch_writes import STALE_SECONDS, Flusher, _ensure_folder
from plainte.errors import ExitCode, UsageError
from plainte.i18n import _
from plainte.outputs import sync_letters

__all__ = [  # the public names, as before the split into batch_*.py
    "BatchSummary", "run_batch", "template_csv", "case_digest", "open_rows", "known_column", "Recorder", "Progress",
    "HASH_CHARS", "CSV_SUFFIXES", "JSONL_SUFFIXES", "LIST_SUFFIXES", "NESTED_KEYS", "EVIDENCE_SEPARATOR",
    "AUTO_ROWS", "CHUNK_ROWS", "PROGRESS_SECONDS", "STALE_SECONDS",
    "OK", "ERROR", "SKIPPED", "WARNING",
]


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did. Per-row detail is in the report file, never kept in memory."""

    total: int  # rows read (blank lines and empty spreadsheet rows are not rows)
    written: int  # rows whose letters were written by this run
    skipped: int  # rows whose letters were already there (an earlier run)
    duplicates: int  # rows identical to an earlier row of the same input: no second letter
    errors: int  # rows with a problem: no letter
    report_path: Path
    out_dir: Path
    unknown_columns: tuple[str, ...] = ()  # CSV headers that are no answers key (reported once, at line 1)
    jobs: int = 1
    combined: Optional[Path] = None  # with combine: one PDF of every letter of the run, in input order

    @property
    def exit_code(self) -> int:
        """0 when every row has its letters (written now or before), 7 when a row failed."""
        return ExitCode.BATCH_PARTIAL if self.errors else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        """The summary for --json."""
        return {"rows": self.total, "written": self.written, "skipped": self.skipped, "duplicates": self.duplicates,
                "errors": self.errors, "report": str(self.report_path), "output": str(self.out_dir),
                "unknown_columns": list(self.unknown_columns), "exit_code": self.exit_code,
                "combined": str(self.combined) if self.combined else None}


def run_batch(
    input_path: Path,
    out_dir: Path,
    *,
    formats: Iterable[str] = ("txt",),
    jobs: Optional[int] = None,
    force: bool = False,
    defaults: Optional[Mapping[str, str]] = None,
    today: Optional[dt.date] = None,
    progress: Optional[Progress] = None,
    catalogue: Any = None,
    combine: bool = False,
    store: Any = None,
) -> BatchSummary:
    """Write the letters of every valid row of input_path into out_dir, and a report of every row.

    formats: some of txt, md, html, pdf, eml. jobs: worker processes (1: this process only; more needs fork, else 1;
    None: one per core from AUTO_ROWS rows, see batch_jobs.auto_jobs).
    combine: also write one PDF of every letter of the run, in input order (runs in this process).
    store: an open case store (plainte.cases) to record every letter written in; None records nothing.
    force: render rows whose letters exist again and replace them. defaults: dotted key -> value, for every
    row that leaves that key empty (--set). today: the date of letters whose row gives none.
    progress(done, total) is called at most ~10 times a second and once at the end; total is the number of
    rows (counted before the run, which also checks the whole file can be read).
    Raises UsageError for an input that cannot be read at all, OutputError when a file cannot be written.
    """
    from plainte.letters import OUTPUT_FORMATS

    fmts = list(dict.fromkeys(str(f).strip().lower() for f in formats))
    bad = [f for f in fmts if f not in OUTPUT_FORMATS]
    if bad or not fmts:
        raise UsageError(_("--format: unknown format {format}; expected some of {formats}").format(format=", ".join(bad) or "-", formats=", ".join(OUTPUT_FORMATS)))
    if combine and "pdf" not in fmts:
        raise UsageError(_("--combine joins the PDF letters: add pdf to --format"))
    if jobs is not None and jobs < 1:
        raise UsageError(_("--jobs: expected a number of at least 1"))
    if catalogue is None:
        from plainte.catalog import load

        catalogue = load()
    today = today or dt.date.today()
    input_path = Path(input_path)
    source = open_rows(input_path, catalogue, defaults)
    total = source.count()
    folder = _ensure_folder(Path(out_dir))
    jobs = auto_jobs(total) if jobs is None else jobs
    jobs = jobs if (jobs == 1 or _fork_available()) and not combine else 1
    engine = _Engine(catalogue, fmts, folder, force, today, base=input_path.absolute().parent)
    if combine:
        engine.kept = []
    with Report(folder) as report:
        tally = _Tally(report, folder, tuple(getattr(source, "unknown_columns", ())), 1, total, progress)
        if store is not None:
            tally.recorder = Recorder(store)
            engine.record = True
        tally.tick(final=True)
        try:
            with Flusher(folder) as flusher:
                if jobs == 1:
                    flusher.start()
                    _run_here(engine, source, tally)
                else:
                    _run_workers(engine, source, tally, jobs, forked=flusher.start)
        finally:
            if tally.written:  # the letters were written without waiting for the disk: now they are on it
                sync_letters(folder)
        if tally.recorder is not None:
            tally.recorder.flush()
        tally.tick(final=True)
    combined = _combine(engine.kept, catalogue, folder, today) if combine and engine.kept else None
    return BatchSummary(total=tally.done, written=tally.written, skipped=tally.skipped, duplicates=tally.duplicates,
                        errors=tally.errors, report_path=report.path, out_dir=folder,
                        unknown_columns=tuple(getattr(source, "unknown_columns", ())), jobs=jobs, combined=combined)


def _combine(cases: list[Any], cat: Any, folder: Path, today: dt.date) -> Path:
    """One PDF of every letter of the run, in input order, for printing a day's letters at once (never overwritten)."""
    from plainte.outputs import slug, write_letter
    from plainte.pdf import render_pdf_many

    data = render_pdf_many(cases, cat)
    return write_letter(folder, slug(today.isoformat(), "plainte-combined"), {"pdf": data})[0]
