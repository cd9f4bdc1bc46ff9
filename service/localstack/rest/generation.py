"""`SchemaGeneration`: how many times the schema cache has loaded, observable from any thread.

Tests (and the server's `wait_for_schema_reload`) wait for the next load
instead of sleeping: read `value`, trigger a reload, `wait_beyond(value)`.
"""

from __future__ import annotations

import threading
import time


class SchemaGeneration:
    """A counter the endpoint bumps after every schema cache load; thread-safe."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._value = 0
        self._error: BaseException | None = None

    @property
    def value(self) -> int:
        """Loads completed so far (1 after start-up)."""
        with self._condition:
            return self._value

    @property
    def error(self) -> BaseException | None:
        """Why the last load (or the endpoint's start-up) failed; None once a load succeeds."""
        with self._condition:
            return self._error

    def advance(self) -> int:
        """Record a completed load and wake every waiter; the new generation."""
        with self._condition:
            self._value += 1
            self._error = None
            self._condition.notify_all()
            return self._value

    def fail(self, error: BaseException) -> None:
        """Record a failed load (the previous cache stays in use) and wake every waiter."""
        with self._condition:
            self._error = error
            self._condition.notify_all()

    def wait_beyond(self, generation: int, timeout_s: float) -> int:
        """Block until a load newer than `generation` completes; the new generation.

        Raises TimeoutError after `timeout_s` seconds.
        """
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while self._value <= generation:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"the schema cache did not reload within {timeout_s:g} s "
                        f"(still generation {self._value}; last error: {self._error!r})"
                    )
                self._condition.wait(remaining)
            return self._value
