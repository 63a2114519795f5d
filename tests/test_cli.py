"""The command-line interface: light start-up, clear errors, one run at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "industry-etl"


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_help_lists_the_commands_without_importing_heavy_libraries():
    out = cli("--help")
    assert out.returncode == 0
    for command in ("run", "serve", "sql", "evaluate"):
        assert command in out.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from industry_etl import cli; cli.build_parser(); "
                               "print(sorted(m for m in ('prefect', 'great_expectations', 'pandas', 'duckdb') "
                               "if m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"


def test_unknown_command_is_an_argument_error():
    out = cli("frobnicate")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_missing_inbox_gives_a_one_line_reason(tmp_path):
    out = cli("run", "--inbox", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w"))
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "is not a folder" in out.stderr


def test_environment_variables_set_the_default_folders(tmp_path):
    env = {**os.environ, "INDUSTRY_ETL_INBOX": str(tmp_path / "env-inbox")}
    out = cli("run", env=env)
    assert out.returncode == 1 and "env-inbox" in out.stderr


def test_a_second_run_on_a_busy_warehouse_exits_with_a_clear_message(tmp_path):
    from tasks.publish import warehouse_lock

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with warehouse_lock(tmp_path / "w"):
        out = cli("run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w"))
    assert out.returncode == 75
    assert "another industry-etl run is writing" in out.stderr
    assert not (tmp_path / "w" / "indicators").exists()


@pytest.mark.slow
def test_two_runs_at_once_then_sql(tmp_path):
    """Two runs started at once on one warehouse: one waits out the other (exit 75) or they run one
    after the other; either way the warehouse equals the one a single run builds."""
    import duckdb

    root = Path(__file__).resolve().parents[1]
    inbox = root / "examples" / "inbox"
    both, single = tmp_path / "both", tmp_path / "single"
    procs = [subprocess.Popen([str(BIN), "run", "--inbox", str(inbox), "--warehouse", str(both)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    assert sorted(code for code, _, _ in outcomes) in ([0, 0], [0, 75]), outcomes
    for code, _, err in outcomes:
        if code == 75:
            assert "another industry-etl run is writing" in err
    out = cli("run", "--inbox", str(inbox), "--warehouse", str(single))
    assert out.returncode == 0, out.stderr
    assert "files: 4 new, 0 skipped (unchanged), 0 failed" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr

    def rows(w):
        return duckdb.sql(f"SELECT doc_id, indicator, measure, value FROM read_parquet('{w}/indicators/**/*.parquet', "
                          "hive_partitioning=true) ORDER BY ALL").fetchall()

    assert rows(both) == rows(single)
    out = cli("sql", "SELECT count(*) AS n, count(DISTINCT region_code) AS regions FROM indicators",
              "--warehouse", str(single))
    assert out.returncode == 0, out.stderr
    assert "regions" in out.stdout


@pytest.mark.slow
def test_pool_workers_run_the_installed_code_whatever_the_working_directory(tmp_path):
    """Run from a folder holding another `tasks/` package: the local pool's workers (used with
    more files than a batch) must still import the installed project, never the decoy."""
    decoy = tmp_path / "cwd" / "tasks"
    decoy.mkdir(parents=True)
    marker = tmp_path / "decoy-imported"
    (decoy / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    inbox = Path(__file__).resolve().parents[1] / "examples" / "inbox"
    out = cli("run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w"), "--batch-size", "1",
              cwd=decoy.parent)
    assert out.returncode == 0, out.stderr
    assert "files: 4 new, 0 skipped (unchanged), 0 failed" in out.stdout
    assert not marker.exists()

def test_explain_says_where_each_rows_place_year_and_period_came_from(tmp_path):
    import subprocess
    import sys

    report = tmp_path / "r.txt"
    report.write_text("宜昌市2023年1-9月工业经济运行情况\n1-9月,全市规上工业增加值增长6.1%,高于全省(5.5%)0.6个百分点。\n"
                      "分行业看,化工行业增长8.2%。\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "industry_etl.cli", "explain", str(report)],
                         capture_output=True, text=True, check=True).stdout
    assert "section 0" in out and "湖北省/宜昌市 (from section heading)" in out
    assert "2023 <- 2023年 in the text before it" in out
    assert "<- its clause (全省)" in out  # the benchmark's own figure is the province's
    assert "months 1..9 <- its paragraph's" in out


def test_explain_of_a_missing_file_is_one_plain_line(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "industry_etl.cli", "explain", str(tmp_path / "none.txt")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "no such file" in done.stderr


@pytest.fixture
def small_file_system(tmp_path):
    """A 6 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(mount: Path, leave_kb: int) -> Path:
    filler = mount / "filler"
    free_kb = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize // 1024
    with open(filler, "wb") as out:
        out.write(b"\0" * max(0, free_kb - leave_kb) * 1024)
    return filler


@pytest.mark.slow
def test_a_full_disk_fails_in_one_line_and_the_next_run_catches_up(small_file_system, tmp_path, prefect_harness):
    """Only the failing run goes through the CLI (its output is the point); the others run the flow."""
    import duckdb

    from flows.nightly_ingest import nightly_ingest
    from tests.conftest import EXAMPLES, SAMPLES, needs_samples

    if needs_samples.args[0]:
        pytest.skip("../shared/samples not present")
    inbox, warehouse = tmp_path / "inbox", small_file_system / "warehouse"
    shutil.copytree(EXAMPLES, inbox)
    nightly_ingest(inbox=str(inbox), warehouse=str(warehouse))

    def tables(w: Path) -> dict[str, list[tuple]]:
        return {t: duckdb.sql(f"SELECT * EXCLUDE (run_id{', first_seen_at' if t == 'documents' else ''}) "
                              f"FROM read_parquet('{w}/{t}/**/*.parquet', hive_partitioning=true) ORDER BY ALL"
                              ).fetchall() for t in ("indicators", "documents", "quarantine")}

    before = tables(warehouse)
    for sample in SAMPLES.glob("*.txt"):
        shutil.copy(sample, inbox)
    filler = fill(small_file_system, leave_kb=16)
    out = cli("run", "--inbox", str(inbox), "--warehouse", str(warehouse))
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert out.stderr.strip().splitlines()[-1] == (
        f"industry-etl: run failed: no space left on the file system of {warehouse}: free space there and run again")
    assert tables(warehouse) == before

    filler.unlink()
    nightly_ingest(inbox=str(inbox), warehouse=str(warehouse))
    nightly_ingest(inbox=str(inbox), warehouse=str(tmp_path / "clean"))
    assert tables(warehouse) == tables(tmp_path / "clean")
