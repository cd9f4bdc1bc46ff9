"""`LocalRestServer`: the endpoint served by uvicorn on a background thread, for `dev` and tests.

    with LocalRestServer(config) as server:
        client = create_client(server.url, service_key)
        generation = server.schema_generation
        client.rpc("exec_sql", {"sql": "notify pgrst, 'reload schema'"}).execute()
        server.wait_for_schema_reload(generation)

The socket is bound in the caller's thread, so a busy port fails at once;
`start()` returns once requests are answered, `stop()` once the pool is closed.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from service.errors import LocalStackError
from service.localstack.rest.config import RestConfig
from service.localstack.rest.faults import Faults
from service.localstack.rest.generation import SchemaGeneration

if TYPE_CHECKING:
    import uvicorn

STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.005


class LocalRestServer:
    """The local endpoint on `http://host:port` (`.url`, without `/rest/v1`: what `create_client` takes)."""

    def __init__(self, config: RestConfig, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.requested_port = port
        self.faults = Faults()
        self._generation = SchemaGeneration()
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._thread_error: BaseException | None = None

    @property
    def port(self) -> int:
        """The bound port (the one the OS chose when constructed with port 0)."""
        if self._port is None:
            raise LocalStackError("the local endpoint is not started")
        return self._port

    @property
    def url(self) -> str:
        """`http://host:port`, the URL to give `create_client`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def schema_generation(self) -> int:
        """How many times the schema cache has loaded (1 after `start()`)."""
        return self._generation.value

    def wait_for_schema_reload(self, after_generation: int, timeout_s: float = 10.0) -> int:
        """Block until the schema cache loads again after `after_generation`; the new generation.

        Raises TimeoutError if no reload completes within `timeout_s`.
        """
        return self._generation.wait_beyond(after_generation, timeout_s)

    def start(self) -> None:
        """Bind, start uvicorn on a thread and return once the endpoint answers (pool open, cache loaded)."""
        if self._thread is not None:
            raise LocalStackError("the local endpoint is already started")
        import uvicorn

        from service.localstack.rest.app import create_app
        from service.localstack.rest.faults import FaultInjectingApp

        listener = self._bind()
        app = FaultInjectingApp(create_app(self.config, schema_generation=self._generation), self.faults)
        uvicorn_config = uvicorn.Config(
            app,
            lifespan="on",
            # httptools' C parser on uvloop handles a request in about a third of the CPU time
            # h11 on asyncio takes; "auto" falls back to asyncio where uvloop is not installed
            # (Windows). `faults` resets connections under either HTTP protocol.
            loop="auto",
            http="httptools",
            ws="none",
            log_config=None,  # leave the process's logging alone
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # local clients only: no X-Forwarded-* to honour, no middleware per request
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(uvicorn_config)
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, listener), name="omnia-local-rest", daemon=True
        )
        self._thread.start()
        self._wait_until_started(self._server, self._thread)

    def stop(self) -> None:
        """Stop answering, close the pool and join the thread (idempotent)."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(SHUTDOWN_TIMEOUT_S)
            if thread.is_alive():
                server.force_exit = True
                thread.join(SHUTDOWN_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = None

    def __enter__(self) -> LocalRestServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.requested_port))
            listener.listen(128)
        except OSError as error:
            listener.close()
            raise LocalStackError(
                f"the local endpoint cannot listen on {self.host}:{self.requested_port} "
                f"({error.strerror or error}); stop whatever uses that port or choose another one"
            ) from error
        self._socket = listener
        self._port = listener.getsockname()[1]
        return listener

    def _serve(self, server: uvicorn.Server, listener: socket.socket) -> None:
        # uvicorn installs no signal handlers off the main thread; the CLI owns SIGINT/SIGTERM.
        try:
            server.run(sockets=[listener])
        except BaseException as error:  # SystemExit when the lifespan start-up fails
            self._thread_error = error

    def _wait_until_started(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise LocalStackError(
                    f"the local endpoint did not start: {self._startup_failure()}; "
                    "check that the database is running and the authenticator role can log in"
                )
            time.sleep(POLL_INTERVAL_S)

    def _startup_failure(self) -> str:
        error: Any = self._generation.error or self._thread_error
        if error is None:
            return f"no answer within {STARTUP_TIMEOUT_S:g} s"
        return f"{type(error).__name__}: {str(error).strip()}"
