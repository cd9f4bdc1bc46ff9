"""The SQL files of `supabase/`: what a Supabase project needs once, and what makes a plain PostgreSQL look like one.

They ship inside the wheel as `service/_supabase/`; a source checkout reads them from `supabase/`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SERVICE_SQL = "migrations/20261124000000_omnia_service.sql"
LOCAL_PROJECT_SQL = "local/supabase_project.sql"


def _supabase_dir() -> Path:
    packaged = Path(__file__).parent / "_supabase"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "supabase"


def service_sql() -> str:
    """History table, lock table and RPC functions, for `install` and the embedded server."""
    return (_supabase_dir() / SERVICE_SQL).read_text(encoding="utf-8")


def local_project_sql() -> str:
    """Supabase's roles, `auth` schema and default grants, for a plain PostgreSQL."""
    return (_supabase_dir() / LOCAL_PROJECT_SQL).read_text(encoding="utf-8")


def preparation_fingerprint() -> str:
    """SHA-256 of both files: a prepared database records it, and is prepared again when it changes."""
    digest = hashlib.sha256(local_project_sql().encode())
    digest.update(service_sql().encode())
    return digest.hexdigest()
