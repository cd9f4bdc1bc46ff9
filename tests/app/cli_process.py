"""Run `omnia-migrate` as a separate process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CLEARED = ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_SERVICE_KEY", "OMNIA_HOME")


def run_cli(
    *arguments: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`omnia-migrate ARGUMENTS` with only the given service variables set; output captured as text."""
    environment = {key: value for key, value in os.environ.items() if key not in CLEARED}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "service", *arguments],
        env=environment, cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )
