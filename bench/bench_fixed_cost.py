"""The fixed cost of a run: `industry-etl run` on an empty and on a small inbox against Prefect's floor.

    .venv/bin/python bench/bench_fixed_cost.py [--runs 5] [--inbox examples/inbox] [--write]

Each round runs, one after the other (so load drifts hit every kind alike):
  1. a bare Prefect flow: `@flow` calling one `@task`, local mode, in this venv (Prefect's floor),
  2. `industry-etl run` on an empty inbox and a fresh warehouse,
  3. `industry-etl run` on the small inbox and a fresh warehouse (a first run),
  4. the same again on the warehouse of 3 (a no-op rerun).
Every run is a fresh subprocess with the same quiet environment (telemetry off, Prefect's logs at
WARNING). Medians of the rounds are printed as Markdown and, with --write, put into
bench/RESULTS.md between the "fixed cost" markers (replacing the block of the same label).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CLI = ROOT / ".venv" / "bin" / "industry-etl"
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT))

from industry_etl.settings import apply_runtime_environment  # noqa: E402

BARE_FLOW = """
from prefect import flow, task

@task
def one():
    return 1

@flow
def bare():
    return one()

bare()
"""
START, END = "<!-- BEGIN fixed cost -->", "<!-- END fixed cost -->"
LOAD_BEFORE = [0.0]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the process and every descendant it reaped, such as
    Prefect's API server): CPU time barely moves with the machine's load, wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{command[:2]} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(runs: int, inbox: Path, workdir: Path) -> dict[str, list[tuple[float, float]]]:
    apply_runtime_environment(verbose=False)
    env = dict(os.environ)
    empty = workdir / "empty-inbox"
    empty.mkdir(parents=True, exist_ok=True)
    walls: dict[str, list[tuple[float, float]]] = {"bare": [], "empty": [], "first": [], "noop": []}
    for i in range(runs):
        small = workdir / f"small-{i}"
        walls["bare"].append(timed([str(PYTHON), "-c", BARE_FLOW], env))
        walls["empty"].append(timed([str(CLI), "run", "--inbox", str(empty), "--warehouse",
                                     str(workdir / f"empty-{i}")], env))
        walls["first"].append(timed([str(CLI), "run", "--inbox", str(inbox), "--warehouse", str(small)], env))
        walls["noop"].append(timed([str(CLI), "run", "--inbox", str(inbox), "--warehouse", str(small)], env))
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1][0]:.1f} s (CPU {v[-1][1]:.1f})" for k, v in walls.items()),
              file=sys.stderr)
    return walls


def code_version() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def markdown(label: str, runs: dict[str, list[tuple[float, float]]], inbox: Path) -> str:
    walls = {k: [wall for wall, _ in v] for k, v in runs.items()}
    med = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    files = len(list(inbox.glob("*.txt")))
    load = os.getloadavg()[0]
    load_before = LOAD_BEFORE[0]
    rows = [f"| {what} | {med[k]:.1f} | {cpu[k]:.1f} | {' / '.join(f'{x:.1f}' for x in walls[k])} |"
            for k, what in (("bare", "bare one-task Prefect flow"), ("empty", "`industry-etl run`, empty inbox"),
                            ("first", f"`industry-etl run`, first run over {files} files"),
                            ("noop", "`industry-etl run`, no-op rerun of those"))]
    return "\n".join([
        f"### Fixed cost: {label} (code {code_version()}, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
        f"{len(walls['bare'])} alternating rounds, load average {load_before:.1f} before, {load:.1f} after)",
        "",
        "| run | median wall s | median CPU s | wall s, each round |",
        "|---|---:|---:|---|",
        *rows,
        "",
        f"- empty inbox ÷ bare flow: **{med['empty'] / med['bare']:.2f}**; no-op rerun ÷ empty inbox: "
        f"**{med['noop'] / med['empty']:.2f}**; first small run ÷ bare flow: {med['first'] / med['bare']:.2f}; "
        f"CPU, empty inbox ÷ bare flow: {cpu['empty'] / cpu['bare']:.2f}",
        "",
    ])


def write_block(label: str, block: str) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    if START not in text:
        text += f"\n## Fixed cost of a run (bench/bench_fixed_cost.py)\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    body, tail = rest.split(END, 1)
    kept = [b for b in re.split(r"(?m)^(?=### Fixed cost: )", body) if b.strip()
            and not b.startswith(f"### Fixed cost: {label} (")]
    RESULTS.write_text(head + START + "\n" + "".join(kept) + block + END + tail, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inbox", type=Path, default=ROOT / "examples" / "inbox")
    parser.add_argument("--label", default="now", help="names the block in RESULTS.md (e.g. before/after)")
    parser.add_argument("--write", action="store_true", help="put the figures into bench/RESULTS.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="industry-etl-fixed-"))
    LOAD_BEFORE[0] = os.getloadavg()[0]
    try:
        block = markdown(args.label, measure(args.runs, args.inbox.resolve(), workdir), args.inbox)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(block)
    if args.write:
        write_block(args.label, block)


if __name__ == "__main__":
    main()
