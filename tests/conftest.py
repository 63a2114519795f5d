"""Shared fixtures: paths to the real samples, and one Prefect test harness per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from industry_etl.settings import apply_runtime_environment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "samples" / "inbox"
GOLD = SHARED / "gold" / "samples.jsonl"
EXAMPLES = ROOT / "examples" / "inbox"

apply_runtime_environment(verbose=False)


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for the whole session (flows run for real against it)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def samples_available() -> bool:
    return SAMPLES.is_dir() and GOLD.is_file()


needs_samples = pytest.mark.skipif(not samples_available(), reason="../shared/samples not present")


@pytest.fixture(scope="session")
def samples_run(prefect_harness, tmp_path_factory):
    """The real flow once on the five samples: (warehouse, RunSummary), shared by the tests that only read it."""
    from flows.nightly_ingest import nightly_ingest

    warehouse = tmp_path_factory.mktemp("samples") / "warehouse"
    return warehouse, nightly_ingest(inbox=str(SAMPLES), warehouse=str(warehouse))
