"""`industry-etl`: run the flow now, serve it on a schedule, query or evaluate the warehouse.

Start-up stays light: Prefect, pandas and Great Expectations are imported only inside the
command that needs them, so `--help` and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from industry_etl import PIPELINE_VERSION
from industry_etl.settings import apply_runtime_environment, inbox_from_env, warehouse_from_env
from industry_etl.watchdog import guard_run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="industry-etl",
        description="Turn Chinese regional industrial-economy reports into checked, partitioned indicator tables.",
    )
    parser.add_argument("--version", action="version", version=f"industry-etl {PIPELINE_VERSION}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the flow once now (the manual trigger)")
    run.add_argument("--inbox", help="folder of .txt reports (default $INDUSTRY_ETL_INBOX or data/inbox)")
    run.add_argument("--warehouse", help="output folder (default $INDUSTRY_ETL_WAREHOUSE or data/warehouse)")
    run.add_argument("--force", action="store_true", help="reprocess every file, even unchanged ones")
    run.add_argument("--since", type=datetime.fromisoformat, help="only files modified since DATE (ISO)")
    run.add_argument("--dask", metavar="ADDRESS", help="run the per-file stages on this Dask scheduler")
    run.add_argument("--workers", type=int, help="run the per-file stages on a local Dask cluster of N workers")
    run.add_argument("--batch-size", type=int, default=250, help="files per task (default 250)")
    run.add_argument("--repair", action="store_true",
                     help="check every file's checksum and every document's rows first, and repair (see check)")
    add_removed_options(run)
    run.add_argument("--verbose", action="store_true", help="show Prefect's own logs")

    serve = sub.add_parser("serve", help="serve the flow on a nightly schedule (Prefect serve)")
    serve.add_argument("--cron", default="0 2 * * *", help='cron schedule (default "0 2 * * *")')
    serve.add_argument("--timezone", default="Asia/Shanghai", help="schedule time zone (default Asia/Shanghai)")
    serve.add_argument("--inbox")
    serve.add_argument("--warehouse")
    add_removed_options(serve)
    serve.add_argument("--verbose", action="store_true")

    sql = sub.add_parser("sql", help="query the warehouse with DuckDB (views: indicators, documents, quarantine)")
    sql.add_argument("query")
    sql.add_argument("--warehouse")

    check = sub.add_parser("check", help="verify the warehouse against its manifest, documents and ledger")
    check.add_argument("--warehouse")

    ev = sub.add_parser("evaluate", help="precision/recall/F1 of extraction against a gold JSONL file")
    ev.add_argument("--gold", required=True, type=Path)
    ev.add_argument("--inbox", help="run the flow on this inbox into a temporary warehouse first")
    ev.add_argument("--warehouse", help="score this warehouse (default: the configured one)")
    ev.add_argument("--show", type=int, default=0, help="print up to N misses and extras")
    ex = sub.add_parser("explain", help="show where each row of one file got its place, year and period")
    ex.add_argument("file", type=Path)

    rv = sub.add_parser("review", help="an offline HTML page of one report with every extracted figure highlighted")
    rv.add_argument("file", type=Path, help="the report (.txt) as it is in the inbox")
    rv.add_argument("--warehouse", help="take its rows from this warehouse (default: the configured one)")
    rv.add_argument("--out", type=Path, help="page to write (default <warehouse>/_review/<file>.html)")
    rv.add_argument("--gold", type=Path, help="also mark the gold rows of this file that were not extracted")
    return parser


def add_removed_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--removed", choices=("withdraw", "keep"), default="withdraw",
                        help="files no longer in the inbox: withdraw their rows (default) or keep them "
                             "(for inboxes emptied after ingest)")
    parser.add_argument("--allow-empty-inbox", action="store_true",
                        help="withdraw even when the inbox holds none of the documented files")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands = {"run": cmd_run, "serve": cmd_serve, "sql": cmd_sql, "check": cmd_check, "evaluate": cmd_evaluate,
                    "explain": cmd_explain, "review": cmd_review}
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("industry-etl: interrupted", file=sys.stderr)
        return 130


EXIT_FAILED = 1
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the warehouse; try again later


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"industry-etl: {message}", file=sys.stderr)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    inbox, warehouse = inbox_from_env(args.inbox), warehouse_from_env(args.warehouse)
    if not inbox.is_dir():
        return _fail(f"inbox {inbox} is not a folder")
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1")
    apply_runtime_environment(args.verbose)  # before anything imports Prefect
    guard_run()  # the run's helper processes (Prefect's server among them) end with it, even on kill -9
    from industry_etl.api_server import LocalApiServer

    # Started first, so that importing Prefect and the pipeline overlaps the server's own start.
    server = None if os.environ.get("PREFECT_API_URL") else LocalApiServer(args.verbose).start()
    try:
        return run_now(args, inbox, warehouse, server)
    finally:
        if server is not None:
            server.stop()


def run_now(args: argparse.Namespace, inbox: Path, warehouse: Path, server) -> int:
    from industry_etl.progress import ProgressDisplay, report
    from tasks.publish import WarehouseBusy, warehouse_lock
    from tasks.removed import WithdrawalRefused

    try:
        with warehouse_lock(warehouse):  # fail fast; the flow itself holds the lock while it writes
            pass
        with ProgressDisplay(verbose=args.verbose):
            report("starting Prefect's local API and loading the pipeline" if server else "loading the pipeline")
            with head_start_unless_dask(args, inbox, warehouse):
                from industry_etl.runner import run_flow

                summary = run_flow(inbox, warehouse, force=args.force, since=args.since, dask=args.dask,
                                   workers=args.workers, batch_size=args.batch_size, server=server,
                                   repair=args.repair, removed=args.removed,
                                   allow_empty_inbox=args.allow_empty_inbox)
    except WarehouseBusy as busy:
        return _fail(str(busy), EXIT_BUSY)
    except WithdrawalRefused as refused:
        return _fail(str(refused))
    except Exception as exc:  # one line; the traceback is in the Prefect run's logs, and with --verbose here
        if args.verbose:
            import traceback

            traceback.print_exc()
        return _fail(describe_failure(exc, warehouse))
    print_summary(summary, warehouse)
    return 0


def head_start_unless_dask(args: argparse.Namespace, inbox: Path, warehouse: Path):
    """The local pool starts on the batches while Prefect starts (see industry_etl.head_start)."""
    if args.dask or args.workers:
        from contextlib import nullcontext

        return nullcontext()
    from industry_etl.head_start import head_start

    return head_start(inbox, warehouse, force=args.force, since=args.since, batch_size=args.batch_size)


def describe_failure(exc: BaseException, warehouse: Path) -> str:
    """What failed, where, and what to do about it, in one line."""
    import errno

    if isinstance(exc, OSError) and exc.errno is not None:
        path = exc.filename or warehouse
        advice = {
            errno.ENOSPC: f"no space left on the file system of {path}: free space there and run again",
            errno.EDQUOT: f"disk quota exceeded writing {path}: free space or raise the quota and run again",
            errno.EACCES: f"permission denied on {path}: let this user read the inbox and write the "
                          "warehouse, then run again",
            errno.EPERM: f"operation not permitted on {path}: check its owner and permissions, then run again",
            errno.EROFS: f"{path} is on a read-only file system: use a writable --warehouse",
        }.get(exc.errno)
        if advice:
            return f"run failed: {advice}"
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"run failed: {first} (details: --verbose, or the Prefect run's logs)"


def print_summary(summary, warehouse: Path) -> None:
    print(f"files: {summary.files_new} new, {summary.files_skipped} skipped (unchanged), "
          f"{summary.files_failed} failed")
    for name, status, detail in summary.failed_files[:20]:
        print(f"  {status:12s} {name}: {detail}")
    from tasks.removed import removed_lines

    for line in removed_lines(summary.withdrawn, summary.removed_kept):
        print(line)
    print(f"rows: {summary.rows_published} published, {summary.rows_quarantined} quarantined")
    if summary.failure_counts:
        print("failed checks: " + ", ".join(f"{k}={v}" for k, v in summary.failure_counts.items()))
    print(f"tables: {warehouse}/{{indicators,documents,quarantine,facts}}/region_code=*/year=*/part-0.parquet")
    page = f": {summary.quality_page}" if summary.quality_page else " (no new files)"
    print(f"data quality: {summary.quality_status}{page}")
    facts = summary.facts
    print(f"facts: {facts.changed} written by this run ({facts.changed_conflicts} conflicts); "
          f"{facts.total} in all, {facts.conflicts} conflicts")
    if summary.run_page:
        print(f"run page: {summary.run_page}")
    for page in summary.review_pages[:20]:
        print(f"  review (quarantined rows): {page}")


def cmd_serve(args: argparse.Namespace) -> int:
    apply_runtime_environment(args.verbose)
    guard_run()
    from industry_etl.runner import serve_flow

    serve_flow(inbox_from_env(args.inbox), warehouse_from_env(args.warehouse), args.cron, args.timezone,
               removed=args.removed, allow_empty_inbox=args.allow_empty_inbox)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from tasks.read import run_sql

    try:
        table = run_sql(warehouse_from_env(args.warehouse), args.query)
    except Exception as exc:
        return _fail(str(exc).splitlines()[0])
    import duckdb

    print(duckdb.from_arrow(table))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    import time

    warehouse = warehouse_from_env(args.warehouse)
    if not warehouse.is_dir():
        return _fail(f"warehouse {warehouse} is not a folder")
    started = time.perf_counter()
    from tasks.health import check_warehouse
    from tasks.publish import WarehouseBusy, warehouse_lock

    try:  # only a probe: check must never keep a run from starting
        with warehouse_lock(warehouse):
            busy = False
    except WarehouseBusy:
        busy = True
    try:
        result = check_warehouse(warehouse, writer_running=busy)
    except Exception as exc:
        return _fail(f"check failed: {exc}".splitlines()[0])
    for line in result.problems:
        print(line)
    for line in result.notes:
        print(f"note: {line}")
    seconds = time.perf_counter() - started
    if result.ok:
        print(f"ok: {result.files:,} files as recorded, {result.rows:,} rows of {result.documents:,} documents "
              f"accounted for ({seconds:.1f} s)")
        return 0
    print(f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} in {warehouse} "
          f"({seconds:.1f} s); the next run repairs what it can (industry-etl run --repair to check all)")
    return EXIT_FAILED


def cmd_evaluate(args: argparse.Namespace) -> int:
    from tasks.evaluate import evaluate_warehouse

    warehouse = warehouse_from_env(args.warehouse)
    if args.inbox:
        import tempfile

        apply_runtime_environment(verbose=False)
        guard_run()
        from industry_etl.runner import run_flow

        warehouse = Path(tempfile.mkdtemp(prefix="industry-etl-eval-")) / "warehouse"
        run_flow(Path(args.inbox), warehouse)
    report = evaluate_warehouse(warehouse, args.gold, show=args.show)
    import json

    print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        return _fail(f"no such file: {args.file}")
    apply_runtime_environment(verbose=False)
    from tasks.explain import explain_file

    print(explain_file(args.file))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        return _fail(f"{args.file} is not a file")
    apply_runtime_environment(verbose=False)  # before anything imports Prefect
    from tasks.review import review_page_path, write_review

    warehouse = warehouse_from_env(args.warehouse)
    out = write_review(args.file, warehouse, args.out or review_page_path(warehouse, args.file.name), args.gold)
    print(f"review page: {out.resolve().as_uri()}")
    return 0


def run_main() -> None:
    """The console script: `main`, then a quick exit. The interpreter's own shutdown (tearing down
    every module and object of a run: Prefect, GE, pandas) takes about a second after the work is
    done; the exit handlers (logging, multiprocessing, Prefect's) still run, then the process ends."""
    import atexit

    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
