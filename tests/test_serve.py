"""`industry-etl serve` against a real local Prefect server on 127.0.0.1: it registers its
deployment with the nightly schedule, and a run triggered through the API completes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture
def prefect_server(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_UI_ENABLED": "false",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_API_URL": url}
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: healthy(url), 120, "the Prefect server")
        yield url, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_serve_registers_the_nightly_deployment_and_runs_it(prefect_server, tmp_path):
    url, env = prefect_server
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse"
    shutil.copytree(EXAMPLES, inbox)
    serve = subprocess.Popen(
        [str(BIN / "industry-etl"), "serve", "--cron", "0 2 * * *", "--timezone", "Asia/Shanghai",
         "--inbox", str(inbox), "--warehouse", str(warehouse)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        from prefect.client.orchestration import get_client
        from prefect.deployments import run_deployment
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: url}):
            def deployment():
                with get_client(sync_client=True) as client:
                    try:
                        return client.read_deployment_by_name("nightly_ingest/nightly")
                    except Exception:
                        return None

            found = wait_for(deployment, 120, "the served deployment")
            schedule = found.schedules[0].schedule
            assert schedule.cron == "0 2 * * *" and schedule.timezone == "Asia/Shanghai"
            flow_run = run_deployment("nightly_ingest/nightly", timeout=240)
            assert flow_run.state.is_completed(), flow_run.state
        assert list(warehouse.glob("indicators/region_code=*/year=*/part-0.parquet"))
        # Prefect's own CLI against the same server (fastapi 0.151+ answered these with 422: pyproject).
        for command, expected in ((["deployment", "ls"], "nightly_ingest/nightly"), (["flow-run", "ls"], flow_run.name)):
            out = subprocess.run([str(BIN / "prefect"), *command], env={**env, "COLUMNS": "200"},
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out.stdout + out.stderr
            assert expected in out.stdout, out.stdout
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
