"""Speed and memory of `plainte batch`, measured side by side in one run.

(a) ROWS rows (10,000) of a CSV to plain text, as `plainte batch` runs them by default: a worker per core from
    500 rows, and every letter recorded in the case store (a new store for each run). Letters per second, against
    a bare loop that renders the same letters with plainte.letters.render from contexts built beforehand and writes
    them with open() in one process: the floor. Measured too, each with its own ratio to the floor: --no-record
    (the same without the case store), --jobs 1 (this process only), and the command itself in a new process
    (imports, catalogue, templates loaded by each worker from the cache folder: what one typed command costs).
(b) BIG_ROWS rows (100,000): the peak resident memory of a process that runs the batch (rows are streamed).
(c) jobs: 1 process against the default, and against JOBS workers.

Wall times are what the targets are about, but other work on the machine slows them: the CPU time of each side is
printed too (it changes much less with load).

The input is generated in a temporary folder from examples/*.yaml, with a different sender name on every row
so that every row is a different letter. Examples whose rows do not validate once written in a CSV (all cells
are text) are left out and named. The files go to a temporary folder (TMPDIR chooses where): the cost of creating
a file there is printed first and last, since it differs widely between file systems and moments. On ext4, for
some minutes after many files were deleted (an earlier benchmark's folder, a test run), creating a file costs up to
fifty times more (the kernel skips the inodes deleted in the last minutes, one by one): nothing is deleted until
the end here, and a run soon after another measures the file system more than plainte.
Usage: python benchmarks/batch.py  (ROWS=..., BIG_ROWS=..., JOBS=..., REPEAT=..., TMPDIR=...)
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("ROWS", "10000"))
BIG_ROWS = int(os.environ.get("BIG_ROWS", "100000"))
JOBS = int(os.environ.get("JOBS", "2"))
REPEAT = int(os.environ.get("REPEAT", "5"))
TODAY = dt.date(2026, 11, 21)
TARGET_RATE = 1500
TARGET_RATIO = 1.5
TARGET_MB = 150


def flatten(answers: dict) -> dict[str, str]:
    """An answers mapping as spreadsheet cells: dotted keys, text values, evidence ids joined with |."""
    out: dict[str, str] = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = cell(inner)
        else:
            out[key] = cell(value)
    return out


def cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def usable_examples() -> tuple[list[dict[str, str]], list[str]]:
    """The examples as CSV rows, and the names of those whose CSV row does not validate."""
    from plainte.answers import load_answers
    from plainte.catalog import load
    from plainte.errors import AnswersError
    from plainte.interview import build_case

    cat = load()
    rows, left_out = [], []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        flat = flatten(load_answers(path))
        nested: dict = {}
        for key, value in flat.items():
            head, dot, rest = key.partition(".")
            if dot:
                nested.setdefault(head, {})[rest] = value
            else:
                nested[key] = [v for v in value.split("|") if v] if key == "evidence" else value
        try:
            build_case(nested, cat, today=TODAY)
        except AnswersError as exc:
            left_out.append(f"{path.stem} ({exc.problems[0]})")
            continue
        rows.append(flat)
    return rows, left_out


def write_input(path: Path, examples: list[dict[str, str]], n: int) -> None:
    columns = list(dict.fromkeys(k for row in examples for k in row))
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(columns)
        for i in range(n):
            row = dict(examples[i % len(examples)])
            row["sender.name"] = f"{row['sender.name']} {i:06d}"
            writer.writerow([row.get(c, "") for c in columns])


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) used so far by this process, and by its finished child processes (the batch's
    workers are joined before run_batch returns, so their time is counted here)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def settle() -> None:
    """Flush what earlier runs left for the disk to write, so that a run does not pay for the one before it."""
    if hasattr(os, "sync"):
        os.sync()


def timed_batch(input_path: Path, out: Path, jobs: int | None) -> tuple[float, object]:
    seconds, summary, _cpu = timed_batch_cpu(input_path, out, jobs)
    return seconds, summary


def timed_batch_cpu(input_path: Path, out: Path, jobs: int | None, record: bool = True) -> tuple[float, object, tuple[float, float]]:
    """Wall seconds, the summary, and the CPU seconds of (this process, the helper processes) for one run. record:
    the letters go into a new case store beside out, as `plainte batch` does unless told --no-record."""
    from plainte.batch import run_batch
    from plainte.case_store import open_store
    from plainte.catalog import load

    cat = load()
    store = open_store(out.parent / f"{out.name}.sqlite3") if record else None
    settle()
    me0, kids0 = cpu_seconds()
    start = time.perf_counter()
    summary = run_batch(input_path, out, formats=["txt"], jobs=jobs, today=TODAY, catalogue=cat, store=store)
    seconds = time.perf_counter() - start
    me1, kids1 = cpu_seconds()
    if store is not None:
        store.close()
    return seconds, summary, (me1 - me0, kids1 - kids0)


def command_run(input_path: Path, out: Path) -> tuple[float, int]:
    """Wall seconds and letters written of `plainte batch` typed as a command: a new process, which imports
    plainte, loads the catalogue, and whose workers load the compiled templates they use (from the cache folder,
    which the runs before have filled: as for a user's every command but the first)."""
    env = {**os.environ, "PLAINTE_DB": str(out.parent / f"{out.name}.sqlite3"), "PLAINTE_LANG": "en",
           "PLAINTE_CONFIG_DIR": str(out.parent / "config")}  # no institutions of the user's own
    settle()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "plainte", "batch", str(input_path), "-o", str(out), "--format", "txt"],
                   env=env, capture_output=True, check=True)
    seconds = time.perf_counter() - start
    return seconds, sum(1 for name in os.listdir(out) if name.endswith(".txt"))


def bare_loop(input_path: Path, out: Path) -> tuple[float, float, int]:
    """The floor: the same letters, cases and contexts built beforehand, then only Jinja/Babel and open()."""
    from plainte.batch import open_rows
    from plainte.catalog import load
    from plainte.context import build_context
    from plainte.interview import build_case
    from plainte.letters import render
    from plainte.plan import make_plan

    cat = load()
    start = time.perf_counter()
    cases = [build_case(row.answers, cat, today=TODAY) for row in open_rows(input_path, cat)]
    build_seconds = time.perf_counter() - start
    jobs = [(f"disputes/{c.dispute.letter}.j2", build_context(c, make_plan(c, cat), cat, "txt"), c.language) for c in cases]
    out.mkdir(parents=True, exist_ok=True)
    settle()
    cpu0 = time.process_time()
    start = time.perf_counter()
    for i, (template, context, lang) in enumerate(jobs):
        data = render(template, context, "txt", lang).encode("utf-8")
        with open(out / f"{i}.txt", "wb") as fh:
            fh.write(data)
    return time.perf_counter() - start, build_seconds, len(jobs), time.process_time() - cpu0


MEMORY_CHILD = r"""
import datetime as dt, resource, sys
from pathlib import Path
from plainte.batch import run_batch
from plainte.case_store import open_store
from plainte.catalog import load

def peak_kib():
    # VmHWM: this process's own peak. ru_maxrss would also count the parent's peak: Linux keeps it across fork + exec.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss

cat = load()
today = dt.date(2026, 11, 21)
store = open_store(Path(sys.argv[3] + ".sqlite3"))  # the letters are recorded, as plainte batch does by default
run_batch(Path(sys.argv[1]), Path(sys.argv[3]), formats=["txt"], today=today, catalogue=cat, store=store)
warm = peak_kib()
s = run_batch(Path(sys.argv[2]), Path(sys.argv[4]), formats=["txt"], today=today, catalogue=cat, store=store)
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest finished child: a worker process
print(warm, peak_kib(), workers, s.total, s.written, s.errors, s.jobs)
"""


def peak_memory(work: Path, examples: list[dict[str, str]], n: int) -> tuple[float, float, float, str]:
    """Peak memory of a fresh process running the batch: after a 200-row warm-up, then after n rows (MiB)."""
    small, big = work / "warm.csv", work / "big.csv"
    write_input(small, examples, 200)
    write_input(big, examples, n)
    result = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(small), str(big), str(work / "out-warm"), str(work / "out-big")],
                            capture_output=True, text=True, check=True)
    warm, peak, workers, total, written, errors, jobs = result.stdout.split()
    return int(warm) / 1024, int(peak) / 1024, int(workers) / 1024, f"{total} rows, {written} written, {errors} errors, {jobs} workers"


def file_cost(folder: Path, n: int = 2000) -> float:
    """CPU milliseconds to create and write one small file in folder: what the file system itself costs per letter
    (it varies a lot between file systems, and between folders of one file system)."""
    probe = Path(tempfile.mkdtemp(dir=folder))
    data = b"x" * 3000
    start = time.process_time()
    for i in range(n):
        with open(probe / f"{i}.txt", "wb") as fh:
            fh.write(data)
    return (time.process_time() - start) / n * 1000  # the files stay: deleting them would slow what follows


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


class Best:
    """The fastest of the runs of one kind (wall time), with the smallest CPU figures seen (CPU time varies much
    less than wall time when the machine is busy), and the file names the first run wrote."""

    def __init__(self) -> None:
        self.seconds, self.summary, self.names, self.cpu = float("inf"), None, None, None
        self.first = 0.0  # the first run's wall seconds: in a process that has rendered nothing yet

    def add(self, seconds: float, summary: object, out: Path, cpu: tuple[float, float]) -> None:
        if self.names is None:
            self.names, self.first = sorted(os.listdir(out)), seconds
        if seconds < self.seconds:
            self.seconds, self.summary = seconds, summary
        self.cpu = cpu if self.cpu is None or sum(cpu) < sum(self.cpu) else self.cpu
        # the folder stays until the end: deleting thousands of files makes the file system slow for a while
        # (here, with online discard), which the next run would pay


def interleaved(source: Path, work: Path) -> tuple[Best, Best, Best, Best, Best, float]:
    """REPEAT rounds of: the batch as it runs by default, the bare loop, the batch in one process, the batch without
    the case store, the command in a new process; in turn, so that a change in the machine's speed during the
    benchmark touches all alike. Returns the five bests and the smallest build_case time measured apart."""
    default, one, bare, unrecorded, command = Best(), Best(), Best(), Best(), Best()
    builds = []
    for i in range(REPEAT):
        out = work / f"out-default-{i}"
        seconds, summary, cpu = timed_batch_cpu(source, out, None)
        default.add(seconds, summary, out, cpu)
        out = work / f"out-bare-{i}"
        seconds, build, n, cpu_bare = bare_loop(source, out)
        bare.add(seconds, n, out, (cpu_bare, 0.0))
        builds.append(build)
        out = work / f"out-1-{i}"
        seconds, summary, cpu = timed_batch_cpu(source, out, 1)
        one.add(seconds, summary, out, cpu)
        out = work / f"out-unrecorded-{i}"
        seconds, summary, cpu = timed_batch_cpu(source, out, None, record=False)
        unrecorded.add(seconds, summary, out, cpu)
        out = work / f"out-command-{i}"
        seconds, written = command_run(source, out)
        command.add(seconds, written, out, (0.0, 0.0))
    return default, one, bare, unrecorded, command, min(builds)


def best_batch(source: Path, work: Path, jobs: int | None, tag: str) -> Best:
    """The fastest of REPEAT runs of the batch with these jobs."""
    best = Best()
    for i in range(REPEAT):
        out = work / f"out-{tag}-{i}"
        seconds, summary, cpu = timed_batch_cpu(source, out, jobs)
        best.add(seconds, summary, out, cpu)
    return best


def machine_cpu() -> float | None:
    """CPU seconds every process of the machine has used so far (Linux /proc/stat), or None elsewhere."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Others:
    """How much of the CPUs work other than this benchmark's used while it measured: the machine's CPU time less
    this process's and its children's. The load average cannot tell: the benchmark's own workers raise it."""

    def __init__(self) -> None:
        self.machine, self.mine, self.start = machine_cpu(), sum(cpu_seconds()), time.perf_counter()

    def note(self) -> str:
        now = machine_cpu()
        if now is None or self.machine is None:
            return ""
        seconds = time.perf_counter() - self.start
        others = max(0.0, (now - self.machine) - (sum(cpu_seconds()) - self.mine))
        share = others / (seconds * (os.cpu_count() or 1))
        flag = " (BUSY: other work slowed these figures)" if share > 0.1 else ""
        return f"; outside this benchmark's processes, {share:.0%} of the CPUs were used meanwhile (the kernel writing these files out included){flag}"


def main() -> None:
    examples, left_out = usable_examples()
    print(f"plainte batch benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {len(examples)} example rows, "
          f"best of {REPEAT}, load average {os.getloadavg()[0]:.1f} at the start")
    others = Others()
    if left_out:
        print("  left out (their CSV row does not validate): " + "; ".join(left_out))
    work = Path(tempfile.mkdtemp(prefix="plainte-bench-"))
    try:
        first_cost = file_cost(work)
        print(f"  writing in {work} (TMPDIR chooses): creating one 3 KB file there costs {first_cost:.3f} ms of CPU")
        source = work / "rows.csv"
        write_input(source, examples, ROWS)

        default, one, bare, unrecorded, command, build_seconds = interleaved(source, work)
        seconds, summary, (main_d, helpers_d) = default.seconds, default.summary, default.cpu
        seconds_1, summary_1, (main_1, _none) = one.seconds, one.summary, one.cpu
        seconds_u, summary_u, (main_u, helpers_u) = unrecorded.seconds, unrecorded.summary, unrecorded.cpu
        bare_seconds, bare_n, bare_cpu = bare.seconds, bare.summary, bare.cpu[0]
        rate, rate_1, bare_rate = summary.written / seconds, summary_1.written / seconds_1, bare_n / bare_seconds
        ratio, ratio_1 = seconds / bare_seconds, seconds_1 / bare_seconds
        per = 1000 / ROWS
        print(f"(a) {ROWS} rows to txt, as plainte batch runs them ({summary.jobs} workers, letters recorded in the case store): "
              f"{seconds:.2f} s, {rate:.0f} letters/s (target >= {TARGET_RATE}: {verdict(rate >= TARGET_RATE)}); "
              f"{summary.errors} errors{others.note()}")
        print(f"    bare loop (render + open().write in one process, cases and contexts prebuilt): {bare_seconds:.2f} s, "
              f"{bare_rate:.0f} letters/s; batch / bare = {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict(ratio <= TARGET_RATIO)})")
        print(f"    its first run, in a process that had rendered nothing yet (templates loaded, caches filled by each worker): "
              f"{summary.written / default.first:.0f} letters/s")
        print(f"    the command in a new process (python -m plainte batch ..., imports and catalogue included): "
              f"{command.seconds:.2f} s, {command.summary / command.seconds:.0f} letters/s, {command.seconds / bare_seconds:.2f}x the bare loop")
        print(f"    --no-record (no case store): {seconds_u:.2f} s, {summary_u.written / seconds_u:.0f} letters/s, "
              f"{seconds_u / bare_seconds:.2f}x the bare loop")
        print(f"    --jobs 1 (this process only): {seconds_1:.2f} s, {rate_1:.0f} letters/s "
              f"(target >= {TARGET_RATE}: {verdict(rate_1 >= TARGET_RATE)}); batch / bare = {ratio_1:.2f}x "
              f"(target <= {TARGET_RATIO}x: {verdict(ratio_1 <= TARGET_RATIO)})")
        print(f"    per letter, --jobs 1: {seconds_1 * per:.3f} ms = bare {bare_seconds * per:.3f} ms "
              f"+ build_case {build_seconds * per:.3f} ms (validation, measured apart) "
              f"+ the rest {(seconds_1 - bare_seconds - build_seconds) * per:.3f} ms (reading, plan and context, naming, report, "
              f"atomic write, case store, final sync)")
        print(f"    CPU per letter: --jobs 1 {main_1 * per:.3f} ms; default {main_d * per:.3f} ms (parent: reading, reporting, "
              f"case store) + {helpers_d * per:.3f} ms (workers); --no-record {main_u * per:.3f} + {helpers_u * per:.3f} ms; "
              f"bare loop {bare_cpu * per:.3f} ms")

        jobs_n = best_batch(source, work, JOBS, str(JOBS))
        seconds_n, summary_n = jobs_n.seconds, jobs_n.summary
        rate_n = summary_n.written / seconds_n
        print(f"(c) jobs: 1 process {rate_1:.0f} letters/s; default ({summary.jobs} workers) {rate:.0f} letters/s: speed-up "
              f"{rate / rate_1:.2f}x; --jobs {JOBS}: {rate_n:.0f} letters/s, speed-up {rate_n / rate_1:.2f}x "
              f"(same file names: {one.names == jobs_n.names == default.names}){others.note()}")

        timed_batch(source, work / "out-again", None)
        again, summary_again = timed_batch(source, work / "out-again", None)
        print(f"    second run over the same output: {summary_again.written} written, {summary_again.skipped} skipped, "
              f"{again:.2f} s ({ROWS / again:.0f} rows/s)")

        warm_mb, peak_mb, worker_mb, what = peak_memory(work, examples, BIG_ROWS)
        print(f"(b) {BIG_ROWS} rows ({what}): peak RSS {peak_mb:.0f} MB; after a 200-row warm-up {warm_mb:.0f} MB, "
              f"growth {peak_mb - warm_mb:.0f} MB (target < {TARGET_MB} MB: {verdict(peak_mb < TARGET_MB)}); "
              f"a worker's peak RSS {worker_mb:.0f} MB (most of it pages shared with the main process)")
        print(f"creating one 3 KB file in {work} now costs {file_cost(work):.3f} ms of CPU (it was {first_cost:.3f} ms at the start)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
