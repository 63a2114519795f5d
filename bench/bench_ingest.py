"""How much does planning an ingest cost? A no-op run over N processed files, and one with 100 new files.

    .venv/bin/python bench/bench_ingest.py [--files 10000] [--new 100] [--repeat 5]

Builds an inbox of N small reports in a temp directory, processes it once (plan, read, commit),
then times `plan_ingest` over the unchanged inbox and again after adding `--new` files.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tasks.ingest import commit_ledger, mark_duplicates, plan_ingest, read_document

REPORT = ("{n}号县2024年1—11月工业经济运行情况\n"
          "全县规模以上工业增加值同比增长{growth}%,工业投资增长{investment}%,"
          "规上工业企业达{firms}家。\n") * 20


def write_reports(inbox: Path, start: int, count: int) -> None:
    for n in range(start, start + count):
        folder = inbox / f"batch-{n // 1000:03d}"  # inboxes are rarely one flat folder of 10,000 files
        folder.mkdir(parents=True, exist_ok=True)
        text = REPORT.format(n=n, growth=n % 97 / 10, investment=n % 89 / 10, firms=n)
        (folder / f"report {n:06d}.txt").write_text(text, encoding="utf-8")


def timed(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds over `repeat` calls, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        inbox, warehouse = Path(tmp) / "inbox", Path(tmp) / "warehouse"
        write_reports(inbox, 0, args.files)

        started = time.perf_counter()
        plan = plan_ingest(inbox, warehouse)
        first_plan = time.perf_counter() - started
        docs = [read_document(source) for source in plan.to_read]
        mark_duplicates(docs, plan.ledger)
        read_all = time.perf_counter() - started - first_plan
        commit_ledger(warehouse, plan.ledger, docs)
        commit = time.perf_counter() - started - first_plan - read_all

        noop, noop_plan = timed(lambda: plan_ingest(inbox, warehouse), args.repeat)
        assert not noop_plan.to_read and noop_plan.unchanged == args.files

        write_reports(inbox, args.files, args.new)
        with_new, new_plan = timed(lambda: plan_ingest(inbox, warehouse), args.repeat)
        assert len(new_plan.to_read) == args.new

        print(f"inbox: {args.files:,} files, ledger {warehouse / '_ledger' / 'ledger.parquet'} "
              f"({(warehouse / '_ledger' / 'ledger.parquet').stat().st_size / 1024:.0f} KiB)")
        print(f"first run: plan (hash all) {first_plan:.3f} s, read+decode+normalise {read_all:.3f} s, "
              f"commit ledger {commit:.3f} s")
        print(f"no-op plan over {args.files:,} processed files: {noop * 1000:.1f} ms "
              f"(median of {args.repeat})")
        print(f"plan with {args.new} new files among them: {with_new * 1000:.1f} ms "
              f"(median of {args.repeat})")


if __name__ == "__main__":
    main()
