"""Benchmarks at scale: the real `industry-etl run` against the same stage functions in a plain loop.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--seed 7] [--keep] [--workdir DIR]

For each size N it builds a corpus with bench/make_corpus.py (not timed), then, in this order:
  1. `industry-etl run` on an EMPTY inbox (Prefect's fixed cost),
  2. the full first run over the N files,
  3. a no-op rerun (nothing changed),
  4. the plain loop: plan_ingest, read/decode, clean, place, extract, mark_duplicates, the tables
     (tasks.tables), Parquet written with pyarrow, the ledger committed — one process, no Prefect
     task, no GE (run as a subprocess of this script, so it pays the same interpreter start-up),
  5. a rerun after adding 1 % new files.
Every CLI run is a subprocess. Recorded: wall time; CPU time (the larger of os.wait4's, which
counts only reaped children, and a sum over the sampled tree, which sees forkserver workers too);
peak RSS of the largest process (wait4's ru_maxrss) and of the whole process tree (psutil, sampled
every 0.1 s, RSS summed over the tree, with each process's share at the peak); the CLI's progress
lines, timestamped, to split its wall time into phases.

The figures go to stdout as Markdown and into bench/RESULTS.md, one block per N (replaced when
the same N is measured again), followed by the acceptance lines recomputed from every block.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "industry-etl"
PYTHON = ROOT / ".venv" / "bin" / "python"
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import write_corpus  # noqa: E402

SAMPLE_SECONDS = 0.1
MAX_BYTES = 20_000_000  # the flow's default per-file limit
NEW_SHARE = 0.01
BATCH_SIZE = 250  # the flow's default


# --- measuring a subprocess --------------------------------------------------------------------------


@dataclass
class Measured:
    """One subprocess run."""

    wall: float
    cpu: float  # user + system of the process and its reaped children
    max_rss_mb: float  # largest single process (wait4 ru_maxrss)
    tree_rss_mb: float  # largest sum of RSS over the process tree, sampled
    returncode: int
    tree_at_peak: str = ""  # RSS of each process when the tree's sum peaked
    peak_at: float = 0.0  # seconds after start
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, stdout line)
    stderr: str = ""


def _role(member, root_pid: int) -> str:
    """What a process of the run's tree is, for the RSS breakdown."""
    if member.pid == root_pid:
        return "main"
    try:
        cmdline = " ".join(member.cmdline())
    except Exception:  # psutil.Error: exited meanwhile
        return "other"
    for marker, role in (("uvicorn", "Prefect API server"), ("multiprocessing.spawn", "pool worker"),
                         ("multiprocessing.forkserver", "pool worker / forkserver"),
                         ("resource_tracker", "resource tracker"), ("distributed", "Dask")):
        if marker in cmdline:
            return role
    return "other"


def _tree_rss(process, cpu_seen: dict[int, float]) -> tuple[int, list[tuple[str, int]]]:
    """Summed RSS of the process and its descendants, and (role, RSS) of each; records each
    member's CPU seconds so far in `cpu_seen` (pid -> seconds)."""
    import psutil

    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, []
    found = []
    for member in members:
        try:
            with member.oneshot():
                rss = member.memory_info().rss
                times = member.cpu_times()
        except psutil.Error:
            continue  # exited between the listing and the read
        found.append((member, rss))
        cpu_seen[member.pid] = times.user + times.system
    return sum(rss for _, rss in found), [(_role(member, process.pid), rss) for member, rss in found]


def describe_tree(members: list[tuple[str, int]]) -> str:
    """'main 903 + 2 × pool worker 324 + …' (MB), largest first."""
    by_role: dict[str, list[int]] = {}
    for role, rss in members:
        by_role.setdefault(role, []).append(rss)
    parts = []
    for role, sizes in sorted(by_role.items(), key=lambda kv: -sum(kv[1])):
        mb = [round(size / 2**20) for size in sizes]
        parts.append(f"{role} {mb[0]}" if len(mb) == 1 else f"{len(mb)} × {role} {'/'.join(map(str, mb))}")
    return " + ".join(parts)


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command`, sampling the RSS of its process tree until it exits."""
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    lines: list[tuple[float, str]] = []
    errors: list[str] = []

    def read_stdout() -> None:
        lines.extend((time.perf_counter() - started, line.rstrip("\n")) for line in proc.stdout)

    def read_stderr() -> None:
        errors.append(proc.stderr.read())

    readers = [threading.Thread(target=read_stdout), threading.Thread(target=read_stderr)]
    for reader in readers:
        reader.start()
    peak, peak_members, peak_at = 0, [], 0.0
    cpu_seen: dict[int, float] = {}
    watched = psutil.Process(proc.pid)
    while True:
        # wait4 with WNOHANG: reaping here (not in Popen.wait) is what gives the child's rusage.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        total, members = _tree_rss(watched, cpu_seen)
        if total > peak:
            peak, peak_members, peak_at = total, members, time.perf_counter() - started
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    # wait4 counts only children that were reaped in turn (a forkserver's workers may not be);
    # the sampled sum misses each process's last 0.1 s. The larger of the two is the closer.
    cpu = max(usage.ru_utime + usage.ru_stime, sum(cpu_seen.values()))
    return Measured(wall=wall, cpu=cpu, max_rss_mb=usage.ru_maxrss / 1024,
                    tree_rss_mb=peak / 2**20, returncode=proc.returncode, lines=lines,
                    stderr="".join(errors), tree_at_peak=describe_tree(peak_members), peak_at=peak_at)


def run_cli(inbox: Path, warehouse: Path) -> Measured:
    result = measure([str(CLI), "run", "--inbox", str(inbox), "--warehouse", str(warehouse)])
    if result.returncode != 0:
        raise RuntimeError(f"industry-etl run failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def cli_phases(result: Measured) -> dict[str, float]:
    """The CLI's wall time split at its progress lines: start-up and ingest, per-file stages,
    validate and publish, shut-down."""
    def at(prefix: str) -> float | None:
        return next((t for t, line in result.lines if line.startswith(f"industry-etl: {prefix}")), None)

    ingested, extracted, published = at("ingest:"), at("extract:"), at("publish:")
    if ingested is None or extracted is None or published is None:
        return {}
    return {"start-up + ingest plan": ingested, "read/clean/place/extract (pool)": extracted - ingested,
            "tables + validate (GE) + publish + ledger": published - extracted,
            "artifacts + shut-down": result.wall - published}


# --- the plain loop ----------------------------------------------------------------------------------


def plain_loop(inbox: Path, warehouse: Path, max_bytes: int = MAX_BYTES, batch_size: int = BATCH_SIZE) -> dict:
    """The flow's work without Prefect or GE, in one process: returns seconds per stage.

    Same functions and same batching as flows/nightly_ingest.py: plan_ingest; process_batch (read,
    clean, place, extract; rows staged to Parquet per batch); mark_duplicates; documents_table; the
    staged rows minus duplicates streamed into the Hive-partitioned indicators table; commit_ledger.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from flows.nightly_ingest import duplicate_versions, row_counts
    from schemas.models import INDICATOR_SCHEMA
    from tasks.ingest import commit_ledger, mark_duplicates, plan_ingest
    from tasks.process import process_batch
    from tasks.tables import documents_table

    seconds: dict[str, float] = {}
    clock = time.perf_counter
    started = clock()
    plan = plan_ingest(inbox, warehouse)
    seconds["plan (scan + hash)"] = clock() - started
    staging = warehouse / "_runs" / "plain-loop"
    staging.mkdir(parents=True)
    results = []
    batch_wall = 0.0
    for i in range(0, len(plan.to_read), batch_size):
        t0 = clock()
        results.append(process_batch(plan.to_read[i: i + batch_size], str(staging / f"rows-{i:08d}.parquet"),
                                     max_bytes))
        batch_wall += clock() - t0
    for result in results:
        for stage, spent in result.seconds.items():
            seconds[stage] = seconds.get(stage, 0.0) + spent
    seconds["batch rest (body hash, staging write)"] = batch_wall - sum(
        seconds.get(stage, 0.0) for stage in ("read", "clean", "place", "extract"))

    t0 = clock()
    docs = plan.early + [d for r in results for d in r.documents]
    mark_duplicates(docs, plan.ledger)
    t1 = clock()
    documents = documents_table(docs, row_counts(results, docs), "plain-loop", datetime.now(UTC))
    pq.write_to_dataset(documents, warehouse / "documents", partition_cols=["region_code", "year"])
    t2 = clock()
    staged_files = [r.rows_file for r in results if r.rows_file]
    if staged_files:
        duplicates = pa.array([source_file for _, source_file in duplicate_versions(docs)], pa.string())
        columns = {name: ds.field(name) for name in INDICATOR_SCHEMA.names}
        columns["run_id"] = pc.scalar("plain-loop")
        staged = ds.dataset(staged_files, schema=INDICATOR_SCHEMA, format="parquet")
        scanner = staged.scanner(columns=columns, filter=~ds.field("source_file").isin(duplicates))
        ds.write_dataset(scanner, warehouse / "indicators", format="parquet", partitioning=["region_code", "year"],
                         partitioning_flavor="hive", existing_data_behavior="overwrite_or_ignore")
    shutil.rmtree(staging.parent)
    t3 = clock()
    commit_ledger(warehouse, plan.ledger, docs)
    t4 = clock()
    seconds.update({"duplicates": t1 - t0, "documents table + write": t2 - t1,
                    "indicators write (staged, minus duplicates)": t3 - t2, "ledger": t4 - t3})
    rows = ds.dataset(warehouse / "indicators", format="parquet").count_rows() if staged_files else 0
    return {"seconds": seconds, "loop_wall": t4 - started, "docs": len(docs), "rows": rows}


def run_plain_loop(inbox: Path, warehouse: Path) -> tuple[Measured, dict]:
    result = measure([str(PYTHON), str(Path(__file__).resolve()), "--plain-loop", str(inbox), str(warehouse)])
    if result.returncode != 0:
        raise RuntimeError(f"plain loop failed:\n{result.stderr[-3000:]}")
    return result, json.loads(result.lines[-1][1])


# --- one size ----------------------------------------------------------------------------------------


def corpus_bytes(inbox: Path) -> int:
    return sum(path.stat().st_size for path in inbox.rglob("*.txt"))


def measure_size(n: int, seed: int, workdir: Path, log) -> dict:
    inbox, warehouse = workdir / f"inbox-{n}", workdir / f"warehouse-{n}"
    empty_inbox, empty_warehouse = workdir / "inbox-empty", workdir / f"warehouse-empty-{n}"
    loop_warehouse = workdir / f"warehouse-loop-{n}"
    for path in (inbox, warehouse, empty_inbox, empty_warehouse, loop_warehouse):
        shutil.rmtree(path, ignore_errors=True)
    empty_inbox.mkdir(parents=True)

    started = time.perf_counter()
    stats = write_corpus(inbox, n, seed)
    log(f"N={n}: corpus {stats.files} files, {stats.bytes / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s")
    load_before = os.getloadavg()

    empty = run_cli(empty_inbox, empty_warehouse)
    log(f"N={n}: empty inbox {empty.wall:.1f} s")
    full = run_cli(inbox, warehouse)
    log(f"N={n}: full run {full.wall:.1f} s, tree RSS {full.tree_rss_mb:.0f} MB")
    noop = run_cli(inbox, warehouse)
    log(f"N={n}: no-op rerun {noop.wall:.1f} s")
    loop, loop_figures = run_plain_loop(inbox, loop_warehouse)
    log(f"N={n}: plain loop {loop.wall:.1f} s (loop itself {loop_figures['loop_wall']:.1f} s)")
    new = max(1, round(n * NEW_SHARE))
    new_stats = write_corpus(inbox, new, seed, start=n)
    rerun = run_cli(inbox, warehouse)
    log(f"N={n}: rerun with {new} new files {rerun.wall:.1f} s")

    return {
        "n": n, "seed": seed, "mb": stats.bytes / 1e6, "kinds": dict(stats.kinds),
        "new_files": new, "new_mb": new_stats.bytes / 1e6,
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "empty": _figures(empty), "full": _figures(full), "noop": _figures(noop), "rerun_new": _figures(rerun),
        "loop": _figures(loop), "loop_wall": loop_figures["loop_wall"], "loop_seconds": loop_figures["seconds"],
        "loop_rows": loop_figures["rows"], "cli_phases": cli_phases(full),
        "rows_published": _rows_published(full),
        "date": datetime.now().astimezone().isoformat(timespec="minutes"), "commit": code_version(),
    }


def code_version() -> str:
    """The commit measured, with "+changes" when the work tree differs from it (read-only git calls)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "tasks", "flows", "industry_etl", "schemas")
    return commit + ("+changes" if changed else "")


def _figures(result: Measured) -> dict:
    return {k: v for k, v in asdict(result).items() if k not in ("lines", "stderr", "returncode")}


def _rows_published(result: Measured) -> int | None:
    for _, line in result.lines:
        if m := re.match(r"rows: (\d+) published", line):
            return int(m.group(1))
    return None


# --- report ------------------------------------------------------------------------------------------


def markdown_block(f: dict) -> str:
    n, mb = f["n"], f["mb"]
    rows = []

    def line(what: str, m: dict, docs: int | None, megabytes: float | None) -> None:
        rate = f"{docs / m['wall']:.0f}" if docs else "–"
        mbs = f"{megabytes / m['wall']:.2f}" if megabytes else "–"
        rows.append(f"| {what} | {m['wall']:.1f} | {rate} | {mbs} | {m['cpu']:.1f} | "
                    f"{m['max_rss_mb']:.0f} | {m['tree_rss_mb']:.0f} |")

    line("empty inbox (Prefect fixed cost)", f["empty"], None, None)
    line(f"full first run ({n:,} files)", f["full"], n, mb)
    line("no-op rerun", f["noop"], None, None)
    line(f"rerun with {f['new_files']:,} new files (1 %)", f["rerun_new"], f["new_files"], f["new_mb"])
    line("plain loop, process (no Prefect, no GE, 1 core)", f["loop"], n, mb)
    loop_wall = f["loop_wall"]
    rows.append(f"| plain loop, stage functions only | {loop_wall:.1f} | {n / loop_wall:.0f} | "
                f"{mb / loop_wall:.2f} | – | – | – |")
    ratio, cpu_ratio = f["full"]["wall"] / f["loop"]["wall"], f["full"]["cpu"] / f["loop"]["cpu"]
    stages = " / ".join(f"{k} {v:.1f}" for k, v in f["loop_seconds"].items())
    phases = " / ".join(f"{k} {v:.1f}" for k, v in f["cli_phases"].items())
    return "\n".join([
        f"### N = {n:,} reports ({mb:.0f} MB; seed {f['seed']}; {f['date']}; code {f.get('commit', '?')}; "
        f"load average before {f['load_before'][0]:.1f}, after {f['load_after'][0]:.1f})",
        "",
        "| run | wall s | docs/s | MB/s | CPU s | peak RSS, largest process MB | peak RSS, process tree MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"- **Orchestration overhead ratio** (full `industry-etl run` wall ÷ plain-loop process wall): "
        f"**{ratio:.2f}** (÷ the loop's own wall: {f['full']['wall'] / loop_wall:.2f}; "
        f"CPU-time ratio {cpu_ratio:.2f}). The CLI uses 2 worker processes, the loop one.",
        f"- No-op rerun ÷ empty-inbox run: **{f['noop']['wall'] / f['empty']['wall']:.2f}**",
        f"- Plain loop, seconds per stage: {stages}",
        f"- Full run's process tree at its RSS peak ({f['full'].get('peak_at', 0):.0f} s after start), MB: "
        f"{f['full'].get('tree_at_peak', '?')}",
        f"- `industry-etl run` phases (from its progress lines), seconds: {phases}",
        f"- Rows published: {f['rows_published']:,} (plain loop: {f['loop_rows']:,}); "
        f"files: {', '.join(f'{k} {v}' for k, v in sorted(f['kinds'].items()))}",
    ])


def acceptance(blocks: dict[int, dict]) -> list[str]:
    out = []

    def check(ok: bool, text: str) -> None:
        out.append(f"- [{'x' if ok else ' '}] {'holds' if ok else 'FAILS'}: {text}")

    ten, hundred = blocks.get(10_000), blocks.get(100_000)
    if two := blocks.get(2_000):  # issue 15: the fixed cost no longer dominates a small first run
        rate = two["n"] / two["full"]["wall"]
        check(rate >= 150, f"2,000 reports, full first run ≥ 150 docs/s: {rate:.0f} docs/s")
    if ten:
        rate = ten["n"] / ten["full"]["wall"]
        check(rate >= 150, f"10,000 reports, full first run ≥ 150 docs/s: {rate:.0f} docs/s")
        check(ten["full"]["tree_rss_mb"] < 1536,
              f"10,000 reports, peak RSS < 1.5 GB: {ten['full']['tree_rss_mb']:.0f} MB (process tree; "
              f"largest process {ten['full']['max_rss_mb']:.0f} MB)")
        ratio = ten["full"]["wall"] / ten["loop"]["wall"]
        check(ratio <= 1.5, f"orchestration overhead ratio ≤ 1.5 at 10,000: {ratio:.2f}")
    if hundred:
        check(True, f"100,000 reports completes ({hundred['full']['wall']:.0f} s)")
        ratio = hundred["full"]["wall"] / hundred["loop"]["wall"]
        check(ratio <= 1.2, f"orchestration overhead ratio ≤ 1.2 at 100,000: {ratio:.2f}")
    if ten and hundred:
        rss = hundred["full"]["tree_rss_mb"] / ten["full"]["tree_rss_mb"]
        check(rss <= 1.5, f"100,000 peak RSS ≤ 1.5 × the 10,000 figure: {rss:.2f} ×")
        wall = hundred["full"]["wall"] / ten["full"]["wall"]
        check(wall <= 12, f"100,000 time ≤ 12 × the 10,000 figure: {wall:.1f} ×")
    for n, f in sorted(blocks.items()):
        ratio = f["noop"]["wall"] / f["empty"]["wall"]
        check(ratio <= 1.1, f"no-op rerun over {n:,} processed files ≤ 1.1 × an empty-inbox run: {ratio:.2f} ×")
    return out


BLOCK = re.compile(r"<!-- BEGIN N=(\d+) (.*?) -->\n(.*?)<!-- END N=\1 -->\n", re.S)
GENERATED_START, GENERATED_END = "<!-- BEGIN run.py -->", "<!-- END run.py -->"


def machine_line() -> str:
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"Machine: {os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}.")


def write_results(path: Path, new_blocks: dict[int, dict]) -> str:
    """Replace the blocks of the sizes just measured, keep the others, recompute the acceptance lines."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if GENERATED_START not in text:
        text = f"# Benchmark results\n\n{GENERATED_START}\n{GENERATED_END}\n" + text
    head, rest = text.split(GENERATED_START, 1)
    generated, tail = rest.split(GENERATED_END, 1)
    blocks = {int(m.group(1)): json.loads(m.group(2)) for m in BLOCK.finditer(generated)}
    blocks.update(new_blocks)
    parts = [machine_line(), "", "Acceptance (recomputed from the blocks below):", "", *acceptance(blocks), ""]
    for n, figures in sorted(blocks.items()):
        parts += [f"<!-- BEGIN N={n} {json.dumps(figures, ensure_ascii=False)} -->",
                  markdown_block(figures), f"<!-- END N={n} -->", ""]
    generated = "\n".join(parts)
    path.write_text(f"{head}{GENERATED_START}\n{generated}{GENERATED_END}{tail}", encoding="utf-8")
    return generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default 1000,10000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="where corpora and warehouses go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep corpora and warehouses")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to update")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--plain-loop", nargs=2, type=Path, metavar=("INBOX", "WAREHOUSE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.plain_loop:  # the subprocess of run_plain_loop: last stdout line is its JSON
        print(json.dumps(plain_loop(*args.plain_loop)))
        return
    if not CLI.exists():
        sys.exit(f"{CLI} not found: run `make install` first")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="industry-etl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    log(f"workdir {workdir}; {machine_line()}")
    blocks = {}
    try:
        # Untimed: the first start-up after a while reads Prefect, GE and the venv from disk.
        warm_up = workdir / "warm-up"
        (warm_up / "inbox").mkdir(parents=True, exist_ok=True)
        log(f"warm-up run on an empty inbox: {run_cli(warm_up / 'inbox', warm_up / 'warehouse').wall:.1f} s")
        for n in sizes:
            blocks[n] = measure_size(n, args.seed, workdir, log)
            print(markdown_block(blocks[n]) + "\n", flush=True)
            if not args.no_write:
                write_results(args.results, {n: blocks[n]})
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(acceptance(blocks)))


if __name__ == "__main__":
    main()
