"""Linting many independent files at once, on every core when there are enough of them to pay for it.

Each file is linted on its own, as `lint_file` does without `new_tables`
(`omnia-migrate lint PATH...`); `up`'s gate, where tables created by one
pending file are new for the next, stays sequential. From `PARALLEL_FROM`
files on, the files are split into one contiguous share per core, of about
the same amount of SQL each; this process lints the first share while other
processes lint the others. On Linux they are children forked for it: they
start with everything this process has loaded and read, and only their
findings come back (pickled, through a pipe). A child that fails has its
share linted here instead, where any error surfaces as such. Elsewhere, or
while other threads run (which fork does not copy), a pool of worker
processes does it. The results, and a bad file's BadMigrationFile, are those
of linting the files one by one in order.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.core.lint.config import LintConfig
from service.core.lint.engine import DEFAULT_CONFIG, FileLint, lint_file
from service.errors import BadMigrationFile

if TYPE_CHECKING:
    from concurrent.futures import Executor

PARALLEL_FROM = 200  # files; fewer are linted in this process: starting workers would cost more than it saves


@dataclass(frozen=True)
class SourceFile:
    """A file to lint: the name findings carry, its SQL, and whether the runner sets lock/statement timeouts."""

    name: str
    source: str
    runner_sets_timeouts: bool = False


def lint_files(files: Sequence[SourceFile], *, config: LintConfig = DEFAULT_CONFIG,
               workers: int | None = None) -> list[FileLint]:
    """Each file's findings, in order; BadMigrationFile for the first file (in order) that is not valid.

    `workers`: processes to use (None: one per core available, from PARALLEL_FROM files on; 1: none).
    """
    if workers is None:
        workers = _cores() if len(files) >= PARALLEL_FROM else 1
    workers = max(1, min(workers, len(files)))
    shares = _shares(files, workers) if workers > 1 else [files]
    if len(shares) == 1:
        return [_lint(each, config) for each in files]
    if _can_fork():
        outcomes = _lint_forked(shares, config)
    else:
        with _pool(len(shares) - 1) as pool:
            others = [pool.submit(_lint_share, share, config) for share in shares[1:]]
            outcomes = [_lint_share(shares[0], config), *(other.result() for other in others)]
    results: list[FileLint] = []
    for share, (linted, failed) in zip(shares, outcomes, strict=True):
        results.extend(linted)
        if failed is not None:  # the rest of the share again here, where its BadMigrationFile is raised as such
            results.extend(_lint(file, config) for file in share[failed:])
    return results


def _shares(files: Sequence[SourceFile], count: int) -> list[Sequence[SourceFile]]:
    """`files` cut into `count` contiguous shares of about the same number of characters (the work is per
    statement, and files differ in length far more than shares of them do)."""
    total = sum(len(file.source) for file in files)
    shares: list[Sequence[SourceFile]] = []
    start = done = 0
    for index, file in enumerate(files):
        done += len(file.source)
        if done * count >= total * (len(shares) + 1) and len(shares) < count - 1:
            shares.append(files[start : index + 1])
            start = index + 1
    shares.append(files[start:])
    return [share for share in shares if share]


def _lint(file: SourceFile, config: LintConfig) -> FileLint:
    return lint_file(file.name, file.source, config=config, runner_sets_timeouts=file.runner_sets_timeouts)


_Outcome = tuple[list[FileLint], int | None]


def _lint_share(files: Sequence[SourceFile], config: LintConfig) -> _Outcome:
    """(results up to the first bad file, that file's index in `files` or None): in a worker process, where
    the error itself would have to cross back pickled."""
    results = []
    for index, file in enumerate(files):
        try:
            results.append(_lint(file, config))
        except BadMigrationFile:
            return results, index
    return results, None


def _lint_forked(shares: Sequence[Sequence[SourceFile]], config: LintConfig) -> list[_Outcome]:
    """The first share linted here, each other one in a forked child (or here, if its child fails)."""
    children = [_fork(share, config) for share in shares[1:]]
    try:
        outcomes = [_lint_share(shares[0], config)]
    except BaseException:  # an interrupt or a bug here: the children's work is not wanted any more
        for pid, reader in children:
            os.kill(pid, signal.SIGKILL)
            _collect(pid, reader)
        raise
    for (pid, reader), share in zip(children, shares[1:], strict=True):
        outcome = _collect(pid, reader)
        outcomes.append(outcome if outcome is not None else _lint_share(share, config))
    return outcomes


def _fork(share: Sequence[SourceFile], config: LintConfig) -> tuple[int, int]:
    """(pid, read end of its pipe) of a child that lints `share` and writes its pickled outcome."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: it leaves by os._exit, so no exit handler or buffer of the parent runs twice
        status = 1
        try:
            os.close(reader)
            data = pickle.dumps(_lint_share(share, config), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> _Outcome | None:
    """The outcome a child wrote, or None when it failed."""
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    outcome: _Outcome = pickle.loads(data)  # our own child wrote these bytes
    return outcome


def _can_fork() -> bool:
    """Linux, and no thread but this one (a forked child would hold copies of their locks, but no threads)."""
    threading = sys.modules.get("threading")
    return sys.platform.startswith("linux") and (threading is None or threading.active_count() == 1)


def _pool(workers: int) -> Executor:
    """Worker processes (imported here: the module costs 10 ms that a small run need not pay)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
