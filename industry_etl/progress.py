"""Progress lines from the flow to the person at the terminal.

The flow logs to the `industry_etl.progress` logger; on a terminal a rich status line shows the
latest message, piped (CI, cron) each message is one plain line. Prefect's own logs stay at
WARNING unless `--verbose` (see settings.apply_runtime_environment).
"""

from __future__ import annotations

import logging
import sys

PROGRESS_LOGGER = "industry_etl.progress"


def report(message: str) -> None:
    """Tell the user what the run is doing now."""
    logging.getLogger(PROGRESS_LOGGER).info(message)


class _Handler(logging.Handler):
    def __init__(self, status) -> None:
        super().__init__(logging.INFO)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.status is not None:
            self.status.update(f"[bold]industry-etl[/bold] {message}")
            self.status.console.log(message)
        else:
            print(f"industry-etl: {message}", flush=True)


class ProgressDisplay:
    """Context manager: a rich status spinner on a TTY, plain lines otherwise."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.status = None
        self.handler: _Handler | None = None

    def __enter__(self) -> ProgressDisplay:
        if sys.stdout.isatty():
            from rich.console import Console

            self.status = Console(log_path=False).status("[bold]industry-etl[/bold] starting")
            self.status.start()
        logger = logging.getLogger(PROGRESS_LOGGER)
        logger.setLevel(logging.INFO)
        logger.propagate = self.verbose
        self.handler = _Handler(self.status)
        logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(PROGRESS_LOGGER).removeHandler(self.handler)
        if self.status is not None:
            self.status.stop()
