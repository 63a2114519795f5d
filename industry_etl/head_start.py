"""A run's head start: the per-file stages begin before Prefect's API is even up.

A run's first seconds go to starting Prefect's temporary API server and importing Prefect and the
pipeline; the flow only then plans its ingest and starts the local pool. Here the CLI plans the
same ingest at once (read-only, without the warehouse lock) and puts the batches on the pool.
The flow still plans again under its lock and runs one Prefect task per batch, as always: a batch
the head start began with the very same files (same sizes and mtimes) hands over its result, any
other batch is simply run (`tasks.process.process_batch_in_pool`). Nothing is written to the
warehouse here; the rows files live in a temporary folder until the run ends.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path


@contextlib.contextmanager
def head_start(inbox: Path, warehouse: Path, *, force: bool, since: datetime | None,
               batch_size: int) -> Iterator[None]:
    """Start the batches the flow will most likely run (only when it would use the pool)."""
    from industry_etl.progress import report
    from tasks.ingest import DEFAULT_MAX_BYTES, plan_ingest
    from tasks.process import close_pool, submit_early

    folder = None
    try:
        sources = plan_ingest(inbox.resolve(), warehouse.resolve(), force=force, since=since).to_read
    except Exception:  # the flow plans again and reports the problem properly
        sources = []
    if len(sources) > batch_size:  # the flow's rule for using the pool
        folder = Path(tempfile.mkdtemp(prefix="industry-etl-head-start-"))
        batches = [sources[i: i + batch_size] for i in range(0, len(sources), batch_size)]
        submit_early(batches, [str(folder / f"rows-{i:06d}.parquet") for i in range(len(batches))],
                     DEFAULT_MAX_BYTES)  # (the flow's default: the CLI does not change it)
        report(f"head start: {len(sources)} new or changed files in {len(batches)} batches on the local pool")
    try:
        yield
    finally:
        if folder is not None:
            close_pool()  # (the flow has normally closed it already)
            shutil.rmtree(folder, ignore_errors=True)
