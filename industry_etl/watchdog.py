"""Nothing outlives a run: a small watchdog ends the run's helper processes when the run's process dies.

A run starts helpers: Prefect's temporary API server (uvicorn), the local pool's forkserver and
workers, Dask's nannies and workers. Each stops itself when the run exits normally, but a run
killed with SIGKILL (OOM killer, a scheduler's timeout) runs no clean-up code, and its helpers live
on, re-parented to init, each holding memory and a port. So `guard_run()` marks the run's
environment with a token every helper inherits (they are all started with the run's environment,
Prefect's server explicitly so), and starts this module as a separate process that waits, at no
cost, on a pidfd of the run's process. When the run is gone, however it went, the watchdog ends
every process still carrying the token (SIGTERM, then SIGKILL after a grace period) and exits.

Why not PR_SET_PDEATHSIG: it must be set by each child itself (we do not start Prefect's server or
Dask's workers) and fires when the creating *thread* exits. A process group kill is no good either:
the run shares its group with the user's shell pipeline (`industry-etl run | tee log`).
Linux only (`/proc`, pidfd); elsewhere `guard_run` does nothing.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from pathlib import Path

TOKEN_VARIABLE = "INDUSTRY_ETL_RUN_TOKEN"
GRACE_SECONDS = 3.0


def guard_run() -> str | None:
    """Mark this process's environment and start the watchdog; returns the token (None if unsupported)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return None
    token = os.environ.get(TOKEN_VARIABLE)
    if token:  # already guarded (a nested call in the same run)
        return token
    token = uuid.uuid4().hex
    os.environ[TOKEN_VARIABLE] = token
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}  # the watchdog must not kill itself
    # Own session: a Ctrl-C or a closed terminal reaches the run, not the watchdog that cleans up after it.
    subprocess.Popen([sys.executable, "-m", "industry_etl.watchdog", str(os.getpid()), token], env=env,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return token


def processes_with_token(token: str) -> list[int]:
    """Pids of live processes whose environment carries `token` (only our own user's are readable)."""
    needle = f"\0{TOKEN_VARIABLE}={token}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = b"\0" + (entry / "environ").read_bytes()
        except OSError:  # gone, or another user's
            continue
        if needle in environ:
            found.append(int(entry.name))
    return found


def end_processes(token: str, grace: float = GRACE_SECONDS) -> int:
    """SIGTERM every process carrying `token`, SIGKILL those left after `grace` seconds; returns how many."""
    pids = [pid for pid in processes_with_token(token) if pid != os.getpid()]
    for pid in pids:
        with suppress(ProcessLookupError, PermissionError):  # ended meanwhile
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and processes_with_token(token):
        time.sleep(0.1)
    for pid in processes_with_token(token):
        with suppress(ProcessLookupError, PermissionError):  # ended meanwhile
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def watch(pid: int, token: str) -> None:
    """Block until `pid` has exited, then end what its run left behind."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:  # already gone
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has exited
        os.close(fd)
    end_processes(token)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(int(sys.argv[1]), sys.argv[2])
