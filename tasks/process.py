"""The per-file stages run over one batch of files: read -> clean -> place -> extract.

A batch is the unit a worker gets (a process of the local pool or a Dask worker), so that
orchestration costs one task per few hundred files, not one per file. The stage functions
themselves live in their own modules; this one only chains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.stages import Document, SourceFile
from tasks.clean import clean_document
from tasks.extract import extract_indicators
from tasks.ingest import read_document
from tasks.place import place_document


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # indicator rows, run_id not yet set
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage, for the run summary


def process_document(source: SourceFile, max_bytes: int) -> tuple[Document, list[dict]]:
    """Read, clean, place and extract one file. A file that fails to read keeps its status."""
    doc = read_document(source, max_bytes=max_bytes)
    if doc.status != "ok":
        return doc, []
    doc = clean_document(doc)
    doc = place_document(doc)
    rows = extract_indicators(doc)
    if not rows:
        doc.status = "no_indicators"
        doc.status_detail = "no catalog indicator with a figure was found in the cleaned text"
    return doc, rows


def process_batch(sources: list[SourceFile], max_bytes: int = 20_000_000) -> BatchResult:
    """Every file of a batch through the per-file stages; one bad file never stops the batch."""
    result = BatchResult()
    for source in sources:
        doc, rows = process_document(source, max_bytes)
        doc.text = ""  # the raw decoded text is not needed downstream; keep results small
        result.documents.append(doc)
        result.rows.extend(rows)
    return result
