"""Run or serve the flow with the right task runner. Imported only by commands that need Prefect."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from flows.nightly_ingest import RunSummary, nightly_ingest


def task_runner_for(dask: str | None, workers: int | None):
    """Local process pool by default; Dask when asked (an existing scheduler or a local cluster)."""
    if dask or workers:
        from prefect_dask import DaskTaskRunner

        if dask:
            return DaskTaskRunner(address=dask)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return None


def run_flow(inbox: Path, warehouse: Path, *, force: bool = False, since: datetime | None = None,
             dask: str | None = None, workers: int | None = None, batch_size: int = 250) -> RunSummary:
    """One run of `nightly_ingest` now, in this process (Prefect's local mode: no server to install)."""
    flow = nightly_ingest
    runner = task_runner_for(dask, workers)
    if runner is not None:
        flow = nightly_ingest.with_options(task_runner=runner)
    # Prefect logs "Error flushing events" at shutdown of the temporary server even when the run
    # succeeded; that is noise for the user.
    logging.getLogger("prefect.events.clients").setLevel(logging.CRITICAL)
    return flow(inbox=str(inbox), warehouse=str(warehouse), force=force, since=since, batch_size=batch_size)


def serve_flow(inbox: Path, warehouse: Path, cron: str, timezone: str) -> None:
    """Serve the flow with a nightly cron schedule; runs show up (and can be triggered) in the Prefect UI."""
    from prefect.schedules import Cron

    nightly_ingest.serve(
        name="nightly",
        schedule=Cron(cron, timezone=timezone),
        parameters={"inbox": str(inbox.resolve()), "warehouse": str(warehouse.resolve())},
        description="Nightly ingest of the report inbox into the indicator warehouse",
    )
