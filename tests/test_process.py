"""The per-file stages chained: the same report in any encoding gives the same rows."""

from __future__ import annotations

import opencc
import pytest

from schemas.stages import SourceFile
from tasks.process import process_batch, process_document
from tests.conftest import EXAMPLES

REPORT = (EXAMPLES / "01_province_release.txt").read_text(encoding="utf-8")


def source(path) -> SourceFile:
    stat = path.stat()
    return SourceFile(str(path), path.name, stat.st_size, stat.st_mtime_ns)


def comparable(rows: list[dict]) -> list[tuple]:
    drop = {"doc_id", "source_file"}
    return [tuple(v for k, v in sorted(r.items()) if k not in drop) for r in rows]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "gb18030", "traditional"])
def test_the_same_report_in_any_encoding_gives_the_same_rows(tmp_path, encoding):
    original = tmp_path / "original.txt"
    original.write_text(REPORT, encoding="utf-8")
    expected_doc, expected = process_document(source(original), 20_000_000)
    assert expected and expected_doc.status == "ok"
    other = tmp_path / "other.txt"
    if encoding == "traditional":
        other.write_text(opencc.OpenCC("s2t").convert(REPORT), encoding="utf-8")
    elif encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        bom = "\ufeff".encode(codec)
        other.write_bytes(bom + REPORT.encode(codec))
    else:
        other.write_bytes(REPORT.encode(encoding))
    doc, rows = process_document(source(other), 20_000_000)
    assert doc.status == "ok"
    assert comparable(rows) == comparable(expected)


def test_a_batch_stages_its_rows_and_drops_the_text(tmp_path):
    sources = [source(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    result = process_batch(sources, str(tmp_path / "rows.parquet"))
    assert result.rows > 0 and result.rows_file == str(tmp_path / "rows.parquet")
    assert all(d.cleaned_text == "" and d.text == "" and d.chars_clean > 0 for d in result.documents)
    assert all(d.body_hash for d in result.documents)
    assert set(result.seconds) == {"read", "clean", "place", "extract"}
    import pyarrow.parquet as pq

    assert pq.read_table(result.rows_file).num_rows == result.rows


def test_a_batch_started_early_hands_over_its_result_and_other_batches_still_run(tmp_path):
    """The CLI's head start: the flow's batch with the same files takes the early result; a batch
    whose files differ (here: one file fewer) is run as usual; the pool closes with the flow's block."""
    import tasks.process as process

    sources = [source(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    early_file = str(tmp_path / "early.parquet")
    process.submit_early([sources], [early_file], 20_000_000, workers=1)
    try:
        with process.local_pool(1):
            same = process.process_batch_in_pool(sources, str(tmp_path / "flow-0.parquet"))
            other = process.process_batch_in_pool(sources[1:], str(tmp_path / "flow-1.parquet"))
        assert process._POOL is None and not process._EARLY
    finally:
        process.close_pool()
    assert same.rows_file == early_file  # the head start's rows, not a second run of the batch
    assert other.rows_file == str(tmp_path / "flow-1.parquet")
    assert [d.source_file for d in same.documents] == [s.source_file for s in sources]
