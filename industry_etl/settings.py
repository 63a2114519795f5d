"""Process-wide settings applied before Prefect or Great Expectations is imported.

Telemetry is switched off here, in code, for every run: users should not have to remember
environment variables to keep the pipeline off the network.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INBOX = Path("data/inbox")
QUIET_LEVEL = "CRITICAL"  # a name: Prefect's dictConfig rejects numbers (and then drops its whole config)
DEFAULT_WAREHOUSE = Path("data/warehouse")

_QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    # Prefect's local API server can take > 20 s to start on a busy 2-core CI machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_UI_ENABLED": "false",
}


def apply_runtime_environment(verbose: bool = False) -> None:
    """Telemetry off, and Prefect's own logs down to warnings unless the user asked for them."""
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_ROOT_LEVEL", "ERROR")
        # Nothing of Prefect's on the terminal (its tracebacks included): the API handler still
        # sends every record to the run's logs, and the CLI prints one line of its own.
        for handler in ("CONSOLE", "DEBUG"):
            os.environ.setdefault(f"PREFECT_LOGGING_HANDLERS_{handler}_LEVEL", QUIET_LEVEL)


def inbox_from_env(value: str | None) -> Path:
    return Path(value or os.environ.get("INDUSTRY_ETL_INBOX") or DEFAULT_INBOX)


def warehouse_from_env(value: str | None) -> Path:
    return Path(value or os.environ.get("INDUSTRY_ETL_WAREHOUSE") or DEFAULT_WAREHOUSE)
