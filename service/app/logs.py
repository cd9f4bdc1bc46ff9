"""structlog, configured once at start: JSON lines to stderr, a console renderer on a terminal."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

from service.settings import Secret

REDACTED = "***"


def redact_secrets(secrets: Iterable[Secret]) -> structlog.types.Processor:
    """A processor that replaces every secret's value in an event's strings by `***`."""
    values = [secret.reveal() for secret in secrets if secret.reveal()]

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for secret in values:
                value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(scrub(item) for item in value)
        return value

    def processor(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        return {key: scrub(item) for key, item in event.items()} if values else event

    return processor


class _CurrentStderr:
    """Whatever `sys.stderr` is at the time of writing (tests and daemons replace it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(*, verbose: bool = False, secrets: Iterable[Secret] = ()) -> None:
    """Send structlog events to stderr: JSON lines, or a console renderer on a terminal."""
    renderer: structlog.types.Processor
    if sys.stderr.isatty():
        renderer = structlog.dev.ConsoleRenderer()
    else:
        renderer = structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_secrets(secrets),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO),
        # One write per event (print() makes two: the line, then its newline; stderr is often unbuffered).
        logger_factory=structlog.WriteLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,  # structlog.testing.capture_logs needs uncached loggers
    )
