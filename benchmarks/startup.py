"""Start-up time of plainte's commands against bare Python, measured side by side in one run.

Each round runs every command once, in turn, so a change in the machine's load hits all of them alike.
The figures are medians of wall time and of CPU time (user + system of the child, which other load on
the machine barely moves). Byte-code caching is allowed, as in an installed wheel, and one warm-up
round fills it first. RUNS sets the number of rounds (default 15).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("RUNS", "15"))
PY = [sys.executable]
PLAINTE = PY + ["-m", "plainte"]
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", PY + ["-c", "pass"], None),
    ("plainte --version", PLAINTE + ["--version"], 3.0),
    ("plainte --help", PLAINTE + ["--help"], 8.0),
    ("plainte --ui-lang fr --help", PLAINTE + ["--ui-lang", "fr", "--help"], 8.0),
    ("plainte disputes --json", PLAINTE + ["disputes", "--json"], None),
    ("plainte institutions --json", PLAINTE + ["institutions", "--json"], None),
]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of cmd."""
    cpu0, start = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000, (_children_cpu() - cpu0) * 1000


def first_prompt_ms(env: dict[str, str], plain: bool) -> float | None:
    """Wall time from start to the wizard's first question, in a pseudo-terminal (needs pexpect)."""
    try:
        import pexpect
    except ImportError:
        return None
    args = ["-m", "plainte", "--ui-lang", "en", "new"] + (["--plain"] if plain else [])
    times = []
    for _ in range(max(3, RUNS // 3)):
        start = time.perf_counter()
        child = pexpect.spawn(sys.executable, args, env=dict(env, TERM="dumb" if plain else "xterm"), encoding="utf-8", timeout=10)
        try:
            child.expect(r"\? " if plain else "Language", timeout=10)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return None
        finally:
            times.append((time.perf_counter() - start) * 1000)
            child.terminate(force=True)
    return statistics.median(times)


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(LANG="C.UTF-8", PLAINTE_DATA_DIR=os.environ.get("PLAINTE_DATA_DIR", "/tmp/plainte-bench-data"))
    for _, cmd, _ in COMMANDS:  # warm-up: byte-code caches, file-system caches
        run_once(cmd, env)
    walls: dict[str, list[float]] = {name: [] for name, _, _ in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in COMMANDS}
    for _ in range(RUNS):
        for name, cmd, _ in COMMANDS:
            wall, cpu = run_once(cmd, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(f"{'command':32} {'wall ms':>8} {'x python':>9} {'cpu ms':>8} {'x python':>9}  target (wall)")
    for name, _, target in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        mark = "" if target is None else f"<= {target:g}x " + ("ok" if wall / base_wall <= target else "MISSED")
        print(f"{name:32} {wall:8.1f} {wall / base_wall:9.2f} {cpu:8.1f} {cpu / base_cpu:9.2f}  {mark}")
    for plain, name in ((True, "first wizard prompt (--plain)"), (False, "first wizard prompt (menus)")):
        prompt = first_prompt_ms(env, plain)
        if prompt is None:
            print(f"{name:32} not measured (pexpect missing or no prompt within 10 s)")
        else:
            print(f"{name:32} {prompt:8.1f} {prompt / base_wall:9.2f} {'':8} {'':9}  < 300 ms " + ("ok" if prompt < 300 else "MISSED"))


if __name__ == "__main__":
    main()
