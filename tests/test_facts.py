"""Facts: the agreement rule, the value rule, and the real flow on a report and two pieces restating it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.models import INDICATOR_SCHEMA
from tasks.facts import agree, build_facts
from tasks.health import check_warehouse
from tasks.publish import publish_tables, warehouse_lock
from tasks.removed import removed_lines
from tests.conftest import ROOT
from tests.test_flow import file_digests, run, scan
from tests.test_health import cli
from tests.test_publish import ZJ, indicator_rows, tables_of

CORPUS = ROOT / "tests" / "data" / "facts"  # report.txt and two short pieces restating it (composed, not real)


def test_values_agree_when_equal_or_within_the_rounding_of_the_less_precise():
    assert agree(7, 7.0)
    assert agree(1.23, 1.2345) and agree(1.2345, 1.23)
    assert not agree(7.0, 7.1)
    assert agree(44000, 44343.9)  # 4.4万亿元, stated in 亿元: rounded to its last non-zero digit
    assert not agree(7, 7.4)  # any other whole number may be rounded or exact: only itself agrees
    assert not agree(10, 13)


def mention(doc_id: str, value: float | None, **flags) -> dict:
    row = {name: None for name in INDICATOR_SCHEMA.names}
    row.update(doc_id=doc_id, source_file=f"{doc_id}.txt", segment=0, region_code="330000", region="浙江省",
               year=2024, period_start_month=1, period_end_month=10, period_label="1-10月",
               indicator="industrial_investment", measure="yoy_pct", value=value, unit="%",
               is_redacted=value is None, is_estimate=False, is_target=False, evidence=f"增长{value}%",
               char_start=0, char_end=8, pipeline_version="t", run_id="r")
    return row | flags


def facts_of(*mentions: dict) -> list[dict]:
    return build_facts(pa.Table.from_pylist(list(mentions), schema=INDICATOR_SCHEMA)).to_pylist()


def test_the_value_most_documents_give_wins_and_the_disagreement_is_a_conflict():
    [fact] = facts_of(mention("a", 12.6), mention("b", 12.8), mention("c", 12.6))
    assert (fact["value"], fact["conflict"], fact["values_seen"], fact["documents"]) == (12.6, True, [12.6, 12.8], 3)


def test_an_outcome_wins_over_an_estimate_which_is_no_conflict():
    [fact] = facts_of(mention("a", 5.0, is_estimate=True), mention("b", 5.3))
    assert (fact["value"], fact["is_estimate"], fact["conflict"], fact["documents"]) == (5.3, False, False, 2)


def test_a_fact_is_redacted_only_when_every_mention_is_masked():
    [partly] = facts_of(mention("a", None), mention("b", 4.1))
    [masked] = facts_of(mention("a", None), mention("b", None))
    assert (partly["value"], partly["is_redacted"]) == (4.1, False)
    assert (masked["value"], masked["is_redacted"], masked["values_seen"]) == (None, True, [])


def published_facts(warehouse: Path) -> dict[str, tuple]:
    table = pq.read_table(warehouse / "facts" / "region_code=330000" / "year=2024" / "part-0.parquet")
    return {r["indicator"]: (r["documents"], r["doc_ids"], r["run_id"]) for r in table.to_pylist()}


def test_publish_rebuilds_the_facts_whose_mentions_change_and_keeps_the_others_run_id(tmp_path):
    d1, d2 = ([{**row, "region": "浙江省"} for row in indicator_rows(doc, [ZJ], per_partition=1)] for doc in ("d1", "d2"))
    d1 += [{**d1[0], "indicator": "industrial_investment", "char_start": 20, "char_end": 29}]
    with warehouse_lock(tmp_path):
        publish_tables(tmp_path, tables_of(d1), ["d1"], run_id="run-1")
        publish_tables(tmp_path, tables_of(d2), ["d2"], run_id="run-2")
    assert published_facts(tmp_path) == {"industrial_value_added": (2, ["d1", "d2"], "run-2"),
                                         "industrial_investment": (1, ["d1"], "run-1")}

    before = published_facts(tmp_path)
    shutil.rmtree(tmp_path / "facts")  # e.g. a warehouse from before `facts`: the next publish rebuilds it
    with warehouse_lock(tmp_path):
        publish_tables(tmp_path, tables_of(), [], run_id="run-3")
    assert {k: v[:2] for k, v in published_facts(tmp_path).items()} == {k: v[:2] for k, v in before.items()}


def test_figures_of_unknown_or_masked_places_are_never_merged_across_documents():
    unknown = {"region": None, "region_code": None}
    assert len(facts_of(mention("a", 5.0, **unknown), mention("b", 5.0, **unknown))) == 2
    assert len(facts_of(mention("a", 5.0, county="XX区"), mention("b", 5.0, county="XX区"))) == 2
    assert len(facts_of(mention("a", 5.0, **unknown), mention("a", 5.0, **unknown, char_start=30))) == 1


def facts(warehouse: Path) -> dict[tuple[str, str], tuple]:
    rows = duckdb.sql(f"SELECT indicator, measure, value, values_seen, conflict, mentions, documents "
                      f"FROM {scan(warehouse, 'facts')} WHERE year = 2024 AND period_end_month = 10").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def documents_by_file(warehouse: Path) -> dict[str, tuple]:
    rows = duckdb.sql(f"SELECT source_file, status, indicators_found FROM {scan(warehouse, 'documents')}").fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def facts_run(prefect_harness, tmp_path_factory):
    """The real flow once on the composed inbox (and a verbatim copy of the report): (inbox, warehouse, summary)."""
    root = tmp_path_factory.mktemp("facts")
    inbox, warehouse = root / "inbox", root / "warehouse"
    shutil.copytree(CORPUS, inbox)
    shutil.copy(inbox / "report.txt", inbox / "report_copy.txt")  # a verbatim copy is no new source
    return inbox, warehouse, run(inbox, warehouse)


@pytest.fixture
def copied(facts_run, tmp_path) -> tuple[Path, Path]:
    """A copy of that inbox (times kept, so the ledger knows its files) and warehouse, for a test to change."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    shutil.copytree(facts_run[0], inbox)
    shutil.copytree(facts_run[1], warehouse)
    return inbox, warehouse


@pytest.mark.slow
def test_restated_figures_are_one_fact_with_their_sources_and_the_changed_one_a_conflict(facts_run):
    _, warehouse, summary = facts_run
    assert summary.files_new == 4 and summary.statuses["duplicate"] == 1
    found = facts(warehouse)
    assert found[("industrial_value_added", "yoy_pct")] == (8.2, [8.2], False, 3, 3)
    assert found[("tech_renovation_investment", "yoy_pct")] == (15.3, [15.3], False, 3, 3)
    assert found[("industrial_investment", "yoy_pct")] == (12.6, [12.6, 12.8], True, 3, 3)
    assert found[("industrial_profit", "yoy_pct")][-1] == 1


@pytest.mark.slow
def test_removing_a_piece_from_the_inbox_updates_the_counts_and_putting_it_back_restores_them(copied):
    inbox, warehouse = copied
    first = facts(warehouse)
    before = file_digests(warehouse)
    assert run(inbox, warehouse).files_new == 0
    assert file_digests(warehouse) == before  # re-running changes no byte

    wire = (inbox / "piece_wire.txt").read_bytes()
    (inbox / "piece_wire.txt").unlink()  # the piece that changed a figure leaves the inbox
    its_rows = documents_by_file(warehouse)["piece_wire.txt"][1]
    summary = run(inbox, warehouse)
    assert summary.withdrawn == {"piece_wire.txt": its_rows} and its_rows > 0
    found = facts(warehouse)
    assert found[("industrial_investment", "yoy_pct")] == (12.6, [12.6], False, 2, 2)
    assert found[("industrial_value_added", "yoy_pct")][-1] == 2
    assert found[("tech_renovation_investment", "yoy_pct")][-1] == 2
    assert documents_by_file(warehouse)["piece_wire.txt"] == ("removed", 0)
    assert duckdb.sql(f"SELECT count(*) FROM {scan(warehouse, 'indicators')} "
                      "WHERE source_file = 'piece_wire.txt'").fetchall() == [(0,)]
    assert check_warehouse(warehouse).problems == []

    after = file_digests(warehouse)
    assert run(inbox, warehouse).withdrawn == {}
    assert file_digests(warehouse) == after

    (inbox / "piece_wire.txt").write_bytes(wire)  # put back: read again as new
    summary = run(inbox, warehouse)
    assert summary.files_new == 1 and summary.withdrawn == {}
    assert facts(warehouse) == first
    assert documents_by_file(warehouse)["piece_wire.txt"] == ("ok", its_rows)
    assert check_warehouse(warehouse).problems == []


@pytest.mark.slow
def test_with_removed_keep_a_file_that_left_the_inbox_keeps_its_rows(copied):
    inbox, warehouse = copied
    before = file_digests(warehouse)
    (inbox / "piece_wire.txt").unlink()  # archived elsewhere after ingest
    summary = run(inbox, warehouse, removed="keep")
    assert (summary.removed_kept, summary.withdrawn) == (1, {})
    assert file_digests(warehouse) == before
    assert check_warehouse(warehouse).problems == []


@pytest.mark.slow
def test_an_inbox_without_any_documented_file_is_not_withdrawn_unless_asked(copied):
    inbox, warehouse = copied
    before = file_digests(warehouse)
    for path in inbox.iterdir():
        path.unlink()
    out = cli("run", "--inbox", str(inbox), "--warehouse", str(warehouse))
    assert out.returncode == 1 and out.stderr.strip().count("\n") == 0
    assert f"inbox {inbox.resolve()} has none of the 4 documented files; not withdrawing" in out.stderr
    assert file_digests(warehouse) == before

    summary = run(inbox, warehouse, allow_empty_inbox=True)
    assert sorted(summary.withdrawn) == ["piece_daily.txt", "piece_wire.txt", "report.txt", "report_copy.txt"]
    assert duckdb.sql(f"SELECT count(*) FROM {scan(warehouse, 'facts')}").fetchall() == [(0,)]
    assert {status for status, _ in documents_by_file(warehouse).values()} == {"removed"}
    assert check_warehouse(warehouse).problems == []


def test_the_summary_names_removed_files_up_to_ten_then_counts_them():
    assert removed_lines({"a.txt": 3}, 0) == ["removed: a.txt: 3 rows withdrawn"]
    many = {f"{i:02d}.txt": 1 for i in range(11)}
    assert removed_lines(many, 0) == ["removed: 11 files no longer in the inbox, 11 rows withdrawn"]
    assert removed_lines({}, 2) == ["removed: 2 files no longer in the inbox, rows kept (--removed keep)"]


@pytest.mark.slow
def test_removing_an_original_lets_its_verbatim_copy_state_the_figures(copied):
    inbox, warehouse = copied
    first = facts(warehouse)
    (inbox / "report.txt").unlink()  # report_copy.txt, its duplicate, stays
    summary = run(inbox, warehouse)
    assert list(summary.withdrawn) == ["report.txt"] and summary.files_new == 1
    assert facts(warehouse) == first
    documented = documents_by_file(warehouse)
    assert documented["report.txt"] == ("removed", 0) and documented["report_copy.txt"][0] == "ok"
    assert check_warehouse(warehouse).problems == []
