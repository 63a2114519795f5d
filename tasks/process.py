"""The per-file stages run over one batch of files: read -> clean -> place -> extract.

A batch is the unit a worker gets (a process of the local pool or a Dask worker), so that
orchestration costs one task per few hundred files, not one per file. The stage functions
themselves live in their own modules; this one only chains them.

A batch writes its indicator rows to a Parquet file in the run's staging folder and hands back
only light document records (no text), so the flow's memory does not grow with the inbox.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.models import INDICATOR_SCHEMA
from schemas.stages import Document, SourceFile
from tasks.clean import clean_document
from tasks.extract import extract_indicators
from tasks.extract import warm_up as warm_up_extraction
from tasks.ingest import body_hash, read_document
from tasks.place import place_document

STAGES = ("read", "clean", "place", "extract")


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)  # text dropped; counts and hashes kept
    rows_file: str | None = None  # staged indicator rows (run_id not yet set), None if no rows
    rows: int = 0
    row_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc_id -> (rows, redacted)
    seconds: dict[str, float] = field(default_factory=dict)  # time per stage, summed over the batch


def process_document(source: SourceFile, max_bytes: int,
                     seconds: dict[str, float] | None = None) -> tuple[Document, list[dict]]:
    """Read, clean, place and extract one file. A file that fails to read keeps its status."""
    clock = _Clock(seconds if seconds is not None else {})
    doc = clock.run("read", read_document, source, max_bytes=max_bytes)
    if doc.status != "ok":
        return doc, []
    doc = clock.run("clean", clean_document, doc)
    doc = clock.run("place", place_document, doc)
    rows = clock.run("extract", extract_indicators, doc)
    if not rows:
        doc.status = "no_indicators"
        reason = "no catalog indicator with a figure was found in the cleaned text"
        doc.status_detail = f"{doc.status_detail}; {reason}" if doc.status_detail else reason
    return doc, rows


def process_batch(sources: list[SourceFile], stage_file: str, max_bytes: int = 20_000_000) -> BatchResult:
    """Every file of a batch through the per-file stages; one bad file never stops the batch.

    The rows go to the Parquet file `stage_file` (written only if there are rows).
    """
    result = BatchResult(seconds=dict.fromkeys(STAGES, 0.0))
    rows: list[dict] = []
    for source in sources:
        doc, doc_rows = process_document(source, max_bytes, result.seconds)
        result.documents.append(_without_text(doc))
        redacted = sum(1 for r in doc_rows if r["is_redacted"])
        result.row_counts[doc.doc_id] = (len(doc_rows), redacted)
        rows.extend(doc_rows)
    result.rows = len(rows)
    if rows:
        pq.write_table(pa.Table.from_pylist(rows, schema=INDICATOR_SCHEMA), stage_file, compression="zstd")
        result.rows_file = stage_file
    return result


def _without_text(doc: Document) -> Document:
    """Keep what the documents table, the duplicate check and the ledger need; drop the text."""
    doc.chars_clean = len(doc.cleaned_text)
    doc.segment_count = len(doc.segments)
    doc.segments = doc.segments[:1]  # the documents row needs only the first segment
    if doc.cleaned_text and doc.body_hash is None:
        doc.body_hash = body_hash(doc.cleaned_text)
    doc.text = ""
    doc.cleaned_text = ""
    return doc


class _Clock:
    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds

    def run(self, stage, fn, *args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


# --- the local process pool --------------------------------------------------------------------
#
# On one machine the batches run in a pool of worker processes, one per core. Workers are forked
# from a "forkserver" that has already imported this module: starting one costs milliseconds,
# where a spawned worker (Prefect's ProcessPoolTaskRunner) re-imports Prefect and the stages,
# several seconds per run. The forkserver is a fresh single-threaded process, so forking it is
# safe (forking the flow's own process, which runs Prefect's threads, would not be).

_POOL: Executor | None = None
HEAD_START_NICENESS = 3
# Batches a head start (`submit_early`) put on the pool before the flow asked for them, by content.
_EARLY: dict[tuple, Future] = {}


@contextlib.contextmanager
def local_pool(workers: int | None = None) -> Iterator[Executor]:
    """A process pool for `process_batch_in_pool`, open for the duration of the block.

    A pool a head start already opened is used, and shut down when the block ends all the same
    (its workers' memory is not kept through validation and publish)."""
    global _POOL
    if _POOL is None:
        open_pool(workers)
    try:
        yield _POOL
    finally:
        close_pool()


def open_pool(workers: int | None = None, niceness: int = 0) -> Executor:
    global _POOL
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.process"])
    _start_forkserver()
    _POOL = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context,
                                initializer=_start_worker, initargs=(niceness,))
    return _POOL


def _start_forkserver() -> None:
    """Start the forkserver with the working directory kept off its `sys.path`.

    The forkserver is `python -c ...`, which puts the working directory first on `sys.path`, and
    Python 3.11 ignores the parent's path it is handed: run from a folder holding another `tasks/`
    package, it would preload (and its workers run) that code instead of the installed project's.
    PYTHONSAFEPATH (3.11+) keeps the working directory off the path of the process it starts."""
    from multiprocessing import forkserver

    previous = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()  # (a no-op when this process already runs one)
    finally:
        if previous is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = previous


def _start_worker(niceness: int) -> None:
    if niceness:
        os.nice(niceness)
    warm_up_extraction()


def close_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
    _POOL = None
    _EARLY.clear()


def submit_early(batches: list[list[SourceFile]], stage_files: list[str], max_bytes: int,
                 workers: int | None = None) -> None:
    """Start these batches on the local pool now: the flow, when it gets to the same batch (same
    files, same sizes and mtimes), takes the running one's result instead of starting it again.
    The workers yield the CPU to the run's own start (Prefect's server, imports): that is the
    critical path, they only fill the idle time around it."""
    pool = _POOL or open_pool(workers, niceness=HEAD_START_NICENESS)
    for batch, stage_file in zip(batches, stage_files, strict=True):
        _EARLY[(tuple(batch), max_bytes)] = pool.submit(process_batch, batch, stage_file, max_bytes)


def process_batch_in_pool(sources: list[SourceFile], stage_file: str, max_bytes: int = 20_000_000) -> BatchResult:
    """`process_batch` in the local pool when one is open, else in this process (e.g. on a Dask worker)."""
    early = _EARLY.pop((tuple(sources), max_bytes), None)
    if early is not None:  # (its rows file is the head start's, which lives until the run ends)
        return early.result()
    if _POOL is None:
        return process_batch(sources, stage_file, max_bytes)
    return _POOL.submit(process_batch, sources, stage_file, max_bytes).result()

