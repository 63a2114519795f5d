"""Assemble stage results into the contract's tables (pyarrow), the one place documents rows are built."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from schemas.models import DOCUMENT_SCHEMA
from schemas.stages import Document


def document_row(doc: Document, rows_found: int, redacted_found: int, run_id: str, now: datetime) -> dict:
    """The `documents` row of one file version."""
    first = doc.segments[0] if doc.segments else None
    return {
        "doc_id": doc.doc_id,
        "source_file": doc.source_file,
        "region_code": first.region_code if first else None,
        "year": first.report_year if first else None,
        "region": first.region if first else None,
        "title": doc.title,
        "encoding": doc.encoding,
        "chars_raw": doc.chars_raw,
        "chars_clean": doc.chars_clean or len(doc.cleaned_text),
        "boilerplate_chars_removed": doc.boilerplate_chars_removed,
        "segments": doc.segment_count or len(doc.segments),
        "indicators_found": rows_found,
        "redacted_found": redacted_found,
        "status": doc.status,
        "status_detail": doc.status_detail,
        "duplicate_of": doc.duplicate_of,
        "first_seen_at": doc.first_seen_at or now,
        "run_id": run_id,
    }


def documents_table(docs: list[Document], row_counts: dict[str, tuple[int, int]], run_id: str,
                    now: datetime) -> pa.Table:
    """`row_counts`: doc_id -> (rows, redacted rows); a "doc_id\\x00source_file" key overrides it for
    one file (a duplicate's rows are dropped even though its bytes match a kept file's)."""
    rows = []
    for d in docs:
        found, redacted = row_counts.get(f"{d.doc_id}\x00{d.source_file}") or row_counts.get(d.doc_id, (0, 0))
        rows.append(document_row(d, found, redacted, run_id, now))
    return pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
