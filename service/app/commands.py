"""Every use-case of the service, shared by the CLI, scheduled jobs and webhooks."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from typing import Any

import structlog

from service.errors import ConfigurationError
from service.settings import Settings
from service.supabase_sql import service_sql

log = structlog.get_logger()


def install(settings: Settings) -> None:
    """Apply the service's SQL (history and lock tables, RPCs) to the DATABASE_URL target; idempotent."""
    from service.adapters.postgres import open_connection, run_script

    if settings.database_url is None:
        raise ConfigurationError(
            "DATABASE_URL",
            "is not set; `install` needs the project's direct connection string "
            "(or run `omnia-migrate install --print` and paste the SQL into the SQL editor)",
        )
    with open_connection(settings.database_url) as connection:
        run_script(connection, service_sql())
    log.info("service.installed", target="DATABASE_URL")


def install_script() -> str:
    """The SQL `install` applies, for the Supabase SQL editor."""
    return service_sql()


@dataclass(frozen=True)
class LocalStackInfo:
    """What `dev` prints: how to reach the local project (DESIGN.md section 7)."""

    rest_url: str
    database_url: str
    anon_key: str
    service_key: str
    jwt_secret: str


def run_local_stack(
    settings: Settings,
    *,
    port: int,
    on_ready: Any,
    stop: threading.Event | None = None,
) -> None:
    """Run the embedded PostgreSQL and the local endpoint until SIGINT/SIGTERM (or `stop` is set).

    `on_ready(LocalStackInfo)` is called once the endpoint answers requests.
    Everything started here is stopped before returning.
    """
    from service.localstack.embedded import EmbeddedPostgres
    from service.localstack.keys import load_or_create_keys
    from service.localstack.rest import LocalRestServer, RestConfig

    stop = stop or threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with EmbeddedPostgres(settings.state_dir) as embedded:
            keys = load_or_create_keys(settings.state_dir)
            config = RestConfig(
                database_url=embedded.url(user="authenticator"),
                jwt_secret=keys.jwt_secret,
                api_keys=keys.roles_by_key,
            )
            with LocalRestServer(config, port=port) as server:
                on_ready(
                    LocalStackInfo(
                        rest_url=server.url,
                        database_url=embedded.url(),
                        anon_key=keys.anon_key,
                        service_key=keys.service_key,
                        jwt_secret=keys.jwt_secret,
                    )
                )
                log.info("local_stack.started", rest_url=server.url)
                stop.wait()
        log.info("local_stack.stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
