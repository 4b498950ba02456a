"""Structured JSON logs on stderr, each line with the correlation id of the message being
handled, which every service passes on, so one message can be followed through all four.
Lines carry ids, never a BSN: values of type `Bsn` print masked, and no handler logs a payload."""

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage

from shared.runtime.settings import ServiceSettings

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class CorrelationMiddleware(BaseMiddleware):
    """Makes the consumed message's correlation id available to every log line. Where the
    sender is an agency (`trusted=False`: ingest), its correlation id is the agency's to
    choose and may hold anything, a BSN even: each delivery gets a trace id of its own
    instead, which ingest stores with the message and every service passes on."""

    def __init__(self, msg: Any, /, *, context: Any, trusted: bool = True) -> None:
        super().__init__(msg, context=context)
        self.trusted = trusted

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        token = correlation_id.set(msg.correlation_id if self.trusted else str(uuid.uuid4()))
        try:
            return await call_next(msg)
        finally:
            correlation_id.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (current := correlation_id.get()) is not None:
            entry["correlation_id"] = current
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: ServiceSettings) -> None:
    json_lines_on_stderr(settings.service_name, settings.log_level)


def json_lines_on_stderr(service: str, level: str) -> None:
    """Every line a process writes through `logging` or `warnings` as JSON, also in a worker
    process (paper's render processes), where libraries such as pypdf would otherwise print
    plain text through logging's last resort."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
