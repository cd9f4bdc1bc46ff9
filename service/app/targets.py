"""Which target a run uses (DESIGN.md section 6), opened for the length of a `with` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from service.core.target import Target
from service.settings import Secret, Settings, TargetKind


@contextmanager
def open_target(settings: Settings) -> Iterator[Target]:
    """The Supabase, PostgreSQL or embedded target the settings select."""
    from service.adapters.postgres import PostgresTarget

    if settings.target_kind is TargetKind.SUPABASE:
        from service.adapters.supabase import SupabaseTarget

        assert settings.supabase_url is not None and settings.supabase_service_key is not None
        supabase_target = SupabaseTarget(settings.supabase_url, settings.supabase_service_key)
        try:
            yield supabase_target
        finally:
            supabase_target.close()
        return
    if settings.target_kind is TargetKind.POSTGRES:
        assert settings.database_url is not None
        target = PostgresTarget(settings.database_url)
        try:
            yield target
        finally:
            target.close()
        return
    from service.localstack.embedded import EmbeddedPostgres

    with EmbeddedPostgres(settings.state_dir) as embedded:
        target = PostgresTarget(Secret(embedded.url()))
        target.description = f"the embedded PostgreSQL ({settings.state_dir})"
        try:
            yield target
        finally:
            target.close()
