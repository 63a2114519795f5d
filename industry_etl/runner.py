"""Run or serve the flow with the right task runner. Imported only by commands that need Prefect."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flows.nightly_ingest import RunSummary, nightly_ingest
from industry_etl.api_server import LocalApiServer
from industry_etl.progress import report


def task_runner_for(dask: str | None, workers: int | None):
    """Local process pool by default; Dask when asked (an existing scheduler or a local cluster)."""
    if dask or workers:
        from prefect_dask import DaskTaskRunner

        if dask:
            return DaskTaskRunner(address=dask)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return None


@contextlib.contextmanager
def shared_api(server: LocalApiServer | None = None) -> Iterator[str]:
    """Make sure worker processes talk to one Prefect API: this process's.

    Without it every worker process (of the local pool or of Dask) would start its own temporary
    server on the same SQLite file, costing seconds per worker. The URL goes into the environment, which the local cluster's worker processes inherit;
    remote workers need PREFECT_API_URL set to a server they can reach (see README).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = PREFECT_API_URL.value()
    own = None  # a server this function started, and so stops
    if url and server is not None:  # a profile names a server: the one started early is not needed
        server.stop()
    elif not url:  # Prefect's local mode: its temporary server, started early by the caller or now
        if server is None:
            server = own = LocalApiServer().start()
        url = server.wait_ready()
        report("Prefect's local API is up")
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        drain_prefect_workers()  # the run's last logs and events reach the API before it stops
        if own is not None:
            own.stop()
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous



def drain_prefect_workers() -> None:
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


def run_flow(inbox: Path, warehouse: Path, *, force: bool = False, since: datetime | None = None,
             dask: str | None = None, workers: int | None = None, batch_size: int = 250,
             server: LocalApiServer | None = None, repair: bool = False, removed: str = "withdraw",
             allow_empty_inbox: bool = False) -> RunSummary:
    """One run of `nightly_ingest` now, in this process (Prefect's local mode: no server to install)."""
    # Prefect logs "Error flushing events" at shutdown of the temporary server even when the run
    # succeeded; that is noise for the user.
    logging.getLogger("prefect.events.clients").setLevel(logging.CRITICAL)
    params = {"inbox": str(inbox), "warehouse": str(warehouse), "force": force, "since": since,
              "batch_size": batch_size, "repair_all": repair, "removed": removed,
              "allow_empty_inbox": allow_empty_inbox}
    runner = task_runner_for(dask, workers)
    # Worker processes (the local pool's or Dask's) must use this process's API, not start their own.
    with shared_api(server):
        if runner is None:
            return nightly_ingest(**params)
        return nightly_ingest.with_options(task_runner=runner)(**params, local_workers=-1)


def serve_flow(inbox: Path, warehouse: Path, cron: str, timezone: str, removed: str = "withdraw",
               allow_empty_inbox: bool = False) -> None:
    """Serve the flow with a nightly cron schedule; runs show up (and can be triggered) in the Prefect UI."""
    from prefect.schedules import Cron

    nightly_ingest.serve(
        name="nightly",
        schedule=Cron(cron, timezone=timezone),
        parameters={"inbox": str(inbox.resolve()), "warehouse": str(warehouse.resolve()), "removed": removed,
                    "allow_empty_inbox": allow_empty_inbox},
        description="Nightly ingest of the report inbox into the indicator warehouse",
    )
