"""Logging set-up: human-readable text or one JSON object per line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import IO, Any, Final

from bot.process.config import LogFormat

BOLT_LOGGER: Final = "peercoach.bolt"
SLACK_CLIENT_LOGGER: Final = "peercoach.slack"

# Below INFO these write what people typed and who they are: Bolt and slack_sdk whole request
# and response bodies (users.info holds names and emails), the database drivers and
# SQLAlchemy's engine SQL parameters and result rows; the openai client and its HTTP library
# write the prompt (a group's goal tags) and the reply.
_BODY_LOGGERS: Final = (
    BOLT_LOGGER,
    SLACK_CLIENT_LOGGER,
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy.engine",
    "sqlalchemy.orm",
    "aiosqlite",
    "asyncpg",
    "openai",
    "httpx",
    "httpcore",
)

# Attributes every LogRecord has; anything else was passed through `extra=` and is worth keeping.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: LogFormat, stream: IO[str] | None = None) -> None:
    """Everything to one stream (standard error unless `stream` is given)."""
    handler = logging.StreamHandler(stream)
    if fmt is LogFormat.JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    keep_bodies_out_of_logs()
    # aiohttp's access log and APScheduler's two lines per job run (the tick runs every
    # minute) are noise at INFO; keep them for DEBUG sessions.
    for noisy in ("aiohttp.access", "apscheduler.executors"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def keep_bodies_out_of_logs() -> None:
    """Hold the loggers that write bodies, parameters or rows at INFO or above, whatever the
    root level: logs carry ids, never personal data."""
    for name in _BODY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
