"""Structured JSON logs of the runbook engine: one JSON object per line on standard error.

Every entry has ``ts`` (UTC ISO 8601), ``level``, ``logger``, ``event`` (a stable dotted name
such as ``run.finished``) and the event's fields (``run_id``, ``runbook``, ``environment``,
...). The level comes from ``--log-level`` or ``$PLATFORM_LOG_LEVEL``; the default is
``warning`` so a terminal shows only the human report, and ``info`` gives one entry per run
phase and step for log shipping.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

LOGGER = "platformkit.runbooks"
LEVEL_ENV = "PLATFORM_LOG_LEVEL"
LEVELS = ("debug", "info", "warning", "error")

_logger = logging.getLogger(LOGGER)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line (fields passed as ``extra={"fields": {...}}``)."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, sort_keys=False)


def configure(level: str = "warning", stream: IO[str] | None = None) -> None:
    """Send the engine's logs to ``stream`` (standard error) as JSON lines at ``level``; safe to call again."""
    for handler in list(_logger.handlers):
        _logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    _logger.addHandler(handler)
    _logger.setLevel(level.upper())
    _logger.propagate = False


def log(event: str, /, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` with structured ``fields``."""
    _logger.log(level, event, extra={"fields": fields})
