"""Prefect's temporary API server, started before anything imports Prefect.

In local mode Prefect starts this server itself, on the first API call, after the whole flow
module is imported: the two (~2 s of imports, ~5 s of server start) then run one after the other.
Starting the same server process first, with the same command and environment Prefect's own
`SubprocessASGIServer` uses (Prefect 3.8), lets the imports and the run's start-up overlap its
start. Nothing here imports Prefect.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PREFECT_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
ADDRESS_IN_USE_EXIT = 3  # uvicorn's exit code when it cannot bind the port
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: never via a proxy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalApiServer:
    """One temporary Prefect API server process on 127.0.0.1 (its database: Prefect's, as usual)."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose  # show the server's own errors (e.g. why it would not start)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> LocalApiServer:
        import importlib.util

        spec = importlib.util.find_spec("prefect")  # finds the package without importing it
        assert spec is not None and spec.origin is not None, "prefect is not installed"
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parent.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1"},
            stdout=subprocess.DEVNULL, stderr=None if self.verbose else subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        return self

    def wait_ready(self) -> str:
        """Block until the server answers /health; its API URL. Restarts once on a taken port."""
        assert self.process is not None
        deadline = time.monotonic() + float(os.environ.get(PREFECT_STARTUP_TIMEOUT, "120"))
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == ADDRESS_IN_USE_EXIT:  # another program took the port meanwhile: try another
                self.start()
            elif code is not None:
                raise RuntimeError(f"Prefect's local API server exited with code {code} while starting "
                                   "(--verbose shows its errors)")
            try:
                with _DIRECT.open(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self.api_url
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("Prefect's local API server did not start in time "
                           f"(raise {PREFECT_STARTUP_TIMEOUT} on a slow machine)")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
