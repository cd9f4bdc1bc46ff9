"""Linting many files at once: the results of linting them one by one, in order, in this process or in workers."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar, Self

import pytest

from service.core.lint import batch, lint_file
from service.core.lint.batch import SourceFile, lint_files
from service.errors import BadMigrationFile

FILES = [
    SourceFile("20261124_001_a.sql", "create table public.t (a int);\ncreate index i on public.t (a);\n", True),
    SourceFile("20261124_002_b.sql", "create index j on public.t (a);\nalter table public.t drop column a;\n"),
    SourceFile("plain.sql", "select 1;\n-- lint-ignore: L999 -- nothing\nselect 2;\n"),
]


@pytest.mark.parametrize("workers", [1, 2])
def test_files_are_linted_each_on_its_own_in_order(workers: int) -> None:
    expected = [lint_file(f.name, f.source, runner_sets_timeouts=f.runner_sets_timeouts) for f in FILES * 3]
    assert lint_files(FILES * 3, workers=workers) == expected


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_bad_file_in_order_is_the_error(workers: int) -> None:
    bad = [SourceFile("ok.sql", "select 1;"), SourceFile("first.sql", "select;;\ncreate tabel x ();"),
           SourceFile("ok2.sql", "select 2;"), SourceFile("second.sql", "create tabel y ();")]
    with pytest.raises(BadMigrationFile) as raised:
        lint_files(bad, workers=workers)
    assert raised.value.message.startswith("first.sql:2: SQL does not parse")


class _InlinePool:
    """Stands in for the pool of worker processes: records the pools asked for and runs their work here."""

    sizes: ClassVar[list[int]] = []

    def __init__(self, max_workers: int) -> None:
        self.sizes.append(max_workers)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def submit(self, function: Callable[..., Any], *arguments: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(function(*arguments))
        return future


def test_workers_start_only_from_parallel_from_files_one_per_other_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_pool", _InlinePool)
    monkeypatch.setattr(batch, "_can_fork", lambda: False)
    monkeypatch.setattr(batch, "_cores", lambda: 2)
    _InlinePool.sizes = []
    assert lint_files([]) == []
    assert len(lint_files(FILES)) == len(FILES)
    assert _InlinePool.sizes == []
    many = [FILES[2]] * batch.PARALLEL_FROM
    assert lint_files(many) == [lint_file(FILES[2].name, FILES[2].source)] * batch.PARALLEL_FROM
    assert _InlinePool.sizes == [1]  # this process lints the first share


def test_shares_are_contiguous_and_hold_about_the_same_amount_of_sql() -> None:
    files = [SourceFile(f"{number}.sql", "select 1;\n" * size) for number, size in enumerate([8, 1, 1, 1, 1, 1, 1, 1, 1])]
    shares = batch._shares(files, 2)
    assert [len(share) for share in shares] == [1, 8]
    assert [file for share in shares for file in share] == files
    assert batch._shares(files[:1], 2) == [files[:1]]


MANY = [SourceFile(f"{number}_{file.name}", file.source, file.runner_sets_timeouts)
        for number in range(batch.PARALLEL_FROM) for file in FILES]


def _one_by_one(files: list[SourceFile]) -> list[Any]:
    return [lint_file(f.name, f.source, runner_sets_timeouts=f.runner_sets_timeouts) for f in files]


def test_fork_is_used_on_linux_only_while_no_other_thread_runs() -> None:
    assert sys.platform.startswith("linux")  # where the suite runs (CI and the container)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not batch._can_fork()
    finally:
        release.set()
        other.join()
    assert batch._can_fork() == (threading.active_count() == 1)


def test_on_linux_a_forked_child_lints_the_second_share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(batch, "_can_fork", lambda: True)  # whatever threads other tests left running
    linted_by = tmp_path / "pids"
    lint_one = batch._lint

    def recording(file: SourceFile, config: Any) -> Any:
        with linted_by.open("a") as record:
            record.write(f"{file.name} {os.getpid()}\n")
        return lint_one(file, config)

    monkeypatch.setattr(batch, "_lint", recording)
    assert lint_files(MANY, workers=2) == _one_by_one(MANY)
    pids = dict(line.split() for line in linted_by.read_text().splitlines())
    first, second = batch._shares(MANY, 2)
    assert len(pids) == len(MANY)
    assert {pids[file.name] for file in first} == {str(os.getpid())}
    (child,) = {pids[file.name] for file in second}
    assert child != str(os.getpid())


def test_the_share_of_a_child_that_fails_is_linted_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_can_fork", lambda: True)
    parent = os.getpid()
    lint_share = batch._lint_share

    def failing_in_children(files: Any, config: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("a bug in a child")
        return lint_share(files, config)

    monkeypatch.setattr(batch, "_lint_share", failing_in_children)
    assert lint_files(MANY, workers=2) == _one_by_one(MANY)


def test_an_error_in_this_process_kills_and_reaps_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_can_fork", lambda: True)
    parent = os.getpid()
    forked: list[int] = []
    fork = batch._fork
    lint_share = batch._lint_share

    def recording_fork(share: Any, config: Any) -> tuple[int, int]:
        pid, reader = fork(share, config)
        forked.append(pid)
        return pid, reader

    def failing_here(files: Any, config: Any) -> Any:
        if os.getpid() == parent:
            raise RuntimeError("a bug in this process")
        return lint_share(files, config)

    monkeypatch.setattr(batch, "_fork", recording_fork)
    monkeypatch.setattr(batch, "_lint_share", failing_here)
    with pytest.raises(RuntimeError, match="a bug in this process"):
        lint_files(MANY, workers=2)
    (child,) = forked
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped already
