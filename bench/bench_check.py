"""How long `industry-etl check` takes, and what damage costs to heal, on bench warehouses.

    .venv/bin/python bench/bench_check.py --corpus /tmp/corpus-100k --sizes 10000,100000 --workdir /tmp/bench-check

`--corpus` is a `make_corpus.py` output with at least the largest size (the inbox of N is its first
N/1000 folders, hard-linked). For each N: the warehouse is built by the real `industry-etl run`
(kept in the workdir and reused), then timed: `check` three times (wall of the command, start-up
included), the repair step every run pays (in-process, nothing to repair), and, on a copy with
one partition file truncated and another deleted, `check` (must exit 1) and the healing `run`
(must restore the rows), then `check` again (must exit 0). Figures go to stdout and into the
`bench_check.py` block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import CLI, RESULTS, machine_line, measure  # noqa: E402

START, END = "<!-- BEGIN bench_check.py -->", "<!-- END bench_check.py -->"


def inbox_of(corpus: Path, n: int, workdir: Path) -> Path:
    folders = sorted(p for p in corpus.iterdir() if p.is_dir())
    if n >= sum(1 for f in folders for _ in f.iterdir()):
        return corpus
    inbox = workdir / f"inbox-{n}"
    if not inbox.exists():
        inbox.mkdir(parents=True)
        for folder in folders[: n // 1000]:
            subprocess.run(["cp", "-al", str(folder), str(inbox / folder.name)], check=True)
    return inbox


def cli(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    out = subprocess.run([str(CLI), *args], capture_output=True, text=True)
    return time.perf_counter() - started, out


def rows(warehouse: Path) -> int:
    import duckdb

    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{warehouse}/indicators/**/*.parquet')").fetchall()[0][0]


def largest_partitions(warehouse: Path) -> list[Path]:
    files = sorted((warehouse / "indicators").glob("region_code=*/year=*/part-0.parquet"),
                   key=lambda p: p.stat().st_size, reverse=True)
    return files[:2]


def measure_size(corpus: Path, n: int, workdir: Path, log) -> list[str]:
    inbox, warehouse = inbox_of(corpus, n, workdir), workdir / f"warehouse-{n}"
    if not (warehouse / "_manifest.json").exists():
        shutil.rmtree(warehouse, ignore_errors=True)
        built = measure([str(CLI), "run", "--inbox", str(inbox), "--warehouse", str(warehouse)])
        log(f"N={n}: built the warehouse in {built.wall:.0f} s (exit {built.returncode})")
    files = sum(1 for _ in warehouse.glob("*/region_code=*/year=*/*.parquet"))
    mb = sum(p.stat().st_size for p in warehouse.glob("*/region_code=*/year=*/*.parquet")) / 1e6
    walls, last = [], None
    for _ in range(3):
        wall, last = cli("check", "--warehouse", str(warehouse))
        walls.append(wall)
    log(f"N={n}: check {[round(w, 2) for w in walls]} s: {last.stdout.strip().splitlines()[-1]}")
    from tasks.health import repair_warehouse

    started = time.perf_counter()
    repair_warehouse(warehouse, inbox)
    everyday = time.perf_counter() - started

    damaged = workdir / f"damaged-{n}"
    shutil.rmtree(damaged, ignore_errors=True)
    shutil.copytree(warehouse, damaged)
    truncated, deleted = largest_partitions(damaged)
    os.truncate(truncated, 500)
    deleted.unlink()
    bad_wall, bad = cli("check", "--warehouse", str(damaged))
    heal_wall, healed = cli("run", "--inbox", str(inbox), "--warehouse", str(damaged))
    after_wall, after = cli("check", "--warehouse", str(damaged))
    restored = rows(damaged) == rows(warehouse)
    reread = next((line.split("repair: ")[1].split()[0] for line in healed.stdout.splitlines()
                   if line.endswith("files read again to restore their rows")), "0")
    log(f"N={n}: damaged check {bad_wall:.1f} s exit {bad.returncode}; heal {heal_wall:.0f} s, {reread} files "
        f"read again, rows restored: {restored}; check after {after_wall:.1f} s exit {after.returncode}")
    shutil.rmtree(damaged, ignore_errors=True)
    return [
        f"| {n:,} | {files:,} ({mb:.0f} MB) | {min(walls):.1f} / {statistics.median(walls):.1f} | "
        f"{everyday:.2f} | {bad_wall:.1f} (exit {bad.returncode}, {len(bad.stdout.splitlines()) - 1} problems) | "
        f"{heal_wall:.0f} ({reread} files read again; rows restored: {'yes' if restored else 'NO'}) | "
        f"{after_wall:.1f} (exit {after.returncode}) |"
    ]


def write_block(lines: list[str], load: tuple[float, ...], commit: str) -> str:
    block = "\n".join([
        START,
        "## `industry-etl check` and healing (bench/bench_check.py)",
        "",
        f"{machine_line()} {datetime.now(UTC):%Y-%m-%dT%H:%M}Z, code {commit}, load average before "
        f"{load[0]:.1f}. Wall seconds of the command, Python and library start-up included.",
        "",
        "| reports | table files | `check`, best / median of 3 | repair step of every run (in-process) | "
        "`check` after truncating one partition and deleting another | next `run` (heals) | `check` after |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *lines,
        END,
    ])
    text = RESULTS.read_text(encoding="utf-8")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return block


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="make_corpus.py output (≥ the largest size)")
    parser.add_argument("--sizes", default="10000", help="comma-separated sizes (default 10000)")
    parser.add_argument("--workdir", type=Path, required=True, help="warehouses are built and kept here")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    load = os.getloadavg()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    lines = [line for n in (int(s) for s in args.sizes.split(",")) for line in
             measure_size(args.corpus, n, args.workdir, log)]
    print("\n".join(lines))
    if not args.no_write:
        print(write_block(lines, load, commit))


if __name__ == "__main__":
    main()
