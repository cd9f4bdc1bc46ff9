"""What the bench scripts share: medians, command lines as a shell would show them, tables, a temp root.

Not a test helper: the scripts print figures and assert nothing about time.
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
# Variables that would select another target for omnia-migrate; removed from every child's environment.
TARGET_VARIABLES = ("SUPABASE_URL", "SUPABASE_SERVICE_KEY", "DATABASE_URL", "OMNIA_HOME")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def shown(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The command line as one would type it, with the variables that matter in front (secrets redacted)."""
    prefix = ""
    if env:
        prefix = " ".join(f"{name}={shlex.quote(_redacted(name, value))}" for name, value in env.items()) + " "
    return prefix + shlex.join(argv)


def _redacted(name: str, value: str) -> str:
    return value[:14] + "..." if "KEY" in name else value


PYCACHE_DIR = CACHE_DIR / "pycache"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without target selection, with bytecode caching, plus `extra`.

    Bytecode goes to bench/.cache/pycache: where PYTHONDONTWRITEBYTECODE is set
    (this machine sets it) every start would otherwise recompile the editable
    package, which an installed tool never does.
    """
    env = {name: value for name, value in os.environ.items()
           if name not in TARGET_VARIABLES and name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    env.update(extra or {})
    return env


def prime_bytecode() -> str:
    """Compile the `service` package into the bench's bytecode cache (untimed); a line saying so."""
    import service

    package = Path(service.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=child_env(),
                   stdout=subprocess.DEVNULL, check=False)
    return (f"children run with bytecode cached in {PYCACHE_DIR} (PYTHONPYCACHEPREFIX; "
            "PYTHONDONTWRITEBYTECODE removed), primed with compileall before any timing")


def run_timed(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
              log: Path | None = None, timeout_s: float = 600) -> float:
    """Wall seconds of one subprocess run; raises with its output's tail if it fails."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        completed = subprocess.run(list(argv), env=child_env(env), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   timeout=timeout_s, check=False)
        elapsed = time.perf_counter() - started
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    if completed.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise RuntimeError(f"exit {completed.returncode}: {shown(argv, env)}\n{tail}")
    return elapsed


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain left/right aligned text table (numbers right-aligned)."""
    cells = [[str(h) for h in headers]] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
                         for i, cell in enumerate(row)).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(row) for row in cells[1:]])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float))


def machine_line() -> str:
    return (f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def temp_root(prefix: str, under: Path | None = None) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=under))


def memory_dir() -> Path | None:
    """/dev/shm when it is a writable folder (a tmpfs on Linux), else None."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def pg_bin_dir() -> Path:
    """The `bin` folder of the PostgreSQL that the `pgserver` wheel ships (the embedded server's own)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def omnia_migrate() -> str:
    """The installed `omnia-migrate` console script (next to this Python first)."""
    beside = Path(sys.executable).parent / "omnia-migrate"
    found = str(beside) if beside.exists() else shutil.which("omnia-migrate")
    if not found:
        raise SystemExit("omnia-migrate is not installed: python -m pip install -e .")
    return found


def script_beside_python(package: str, script: str, *, indent: str = "") -> tuple[Path, str | None]:
    """(path of `script` beside this Python, None) once `package` provides it (pip-installed here if missing), or
    (that path, why the install failed)."""
    beside = Path(sys.executable).parent / script
    if not beside.exists():
        command = [sys.executable, "-m", "pip", "install", "--quiet", package]
        print(f"{indent}installing {package} into this environment: {shown(command)}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not beside.exists():
            return beside, f"pip install {package} failed: {(done.stderr or done.stdout).strip()[-300:]}"
    return beside, None
