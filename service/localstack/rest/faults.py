"""Fault injection for reliability tests: lose the connection before or after the transaction, or answer late.

    faults.arm("drop_after_commit")                 # next exec_sql commits, client gets no response
    faults.arm("drop_before", times=2)              # next two exec_sql calls never reach the database
    faults.arm("delay_after_commit", seconds=3.0)   # commits, then answers 3 s later

`FaultInjectingApp` must be the outermost ASGI layer, where `send` is still
uvicorn's own: aborting its transport resets the TCP connection, and the
client sees a transport error, never a response.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_PATH_PREFIX = "/rest/v1/rpc/exec_sql"


class FaultKind(StrEnum):
    """What goes wrong with a matching request."""

    DROP_BEFORE = "drop_before"  # connection reset before the app runs: nothing executes
    DROP_AFTER_COMMIT = "drop_after_commit"  # the request's transaction ends, then the connection is reset
    DELAY_AFTER_COMMIT = "delay_after_commit"  # the transaction ends, the response is held `seconds`


@dataclass(frozen=True)
class Fault:
    """One armed fault: which requests it hits (path prefix) and, for delays, how long."""

    kind: FaultKind
    path_prefix: str
    seconds: float = 0.0


class Faults:
    """Faults armed for the next matching requests; thread-safe (armed by tests, taken by the server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[Fault] = []
        self._fired: list[tuple[FaultKind, str]] = []

    def arm(
        self,
        kind: FaultKind | str,
        *,
        path_prefix: str = DEFAULT_PATH_PREFIX,
        times: int = 1,
        seconds: float = 0.0,
    ) -> None:
        """Make the next `times` requests whose path starts with `path_prefix` suffer `kind`."""
        fault = Fault(FaultKind(kind), path_prefix, seconds)
        if times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        if fault.kind is FaultKind.DELAY_AFTER_COMMIT and seconds <= 0:
            raise ValueError("delay_after_commit needs seconds > 0")
        with self._lock:
            self._armed.extend([fault] * times)

    def clear(self) -> None:
        """Disarm everything not yet fired."""
        with self._lock:
            self._armed.clear()

    @property
    def pending(self) -> int:
        """How many armed faults have not fired yet."""
        with self._lock:
            return len(self._armed)

    @property
    def fired(self) -> list[tuple[FaultKind, str]]:
        """`(kind, path)` of every fault fired so far, oldest first."""
        with self._lock:
            return list(self._fired)

    def take(self, path: str) -> Fault | None:
        """The first armed fault matching `path`, now fired; None if none matches."""
        with self._lock:
            for index, fault in enumerate(self._armed):
                if path.startswith(fault.path_prefix):
                    del self._armed[index]
                    self._fired.append((fault.kind, path))
                    return fault
        return None


class FaultInjectingApp:
    """An ASGI wrapper applying `faults` to HTTP requests; must wrap everything else."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app`, unless a fault armed for this path says otherwise."""
        fault = self.faults.take(scope["path"]) if scope["type"] == "http" else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind is FaultKind.DROP_BEFORE:
            await _drop_connection(send)
        else:
            await self.app(scope, receive, _after_transaction(fault, send))


def _after_transaction(fault: Fault, send: Send) -> Send:
    """A `send` that applies `fault` when the response starts, i.e. once the transaction has ended."""
    dropped = False

    async def faulty_send(message: Message) -> None:
        nonlocal dropped
        if dropped:
            return  # the rest of the response goes nowhere
        if message["type"] == "http.response.start":
            if fault.kind is FaultKind.DROP_AFTER_COMMIT:
                dropped = True
                await _drop_connection(send)
                return
            await asyncio.sleep(fault.seconds)
        await send(message)

    return faulty_send


async def _drop_connection(send: Send) -> None:
    """Reset the client's TCP connection without a response.

    uvicorn's `send` is the bound method `RequestResponseCycle.send`; its
    `transport.abort()` closes the socket at once. Otherwise, announce a body
    that never comes and fail: the server closes the connection mid-response.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        # Let the server see the connection lost before the app returns, so it
        # does not try to answer "returned without starting response".
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionAbortedError("fault injection: connection dropped mid-response")
