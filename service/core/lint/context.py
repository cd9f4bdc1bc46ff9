"""What the linter knows while it walks a file: where it runs, what it created, what it set so far."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from service.core.lint import tree
from service.core.sql import Statement

DEFAULT_PG_VERSION = 15

State = TypeVar("State")


@dataclass
class LintContext:
    """Per-file facts shared by the rules; the engine updates them after each statement.

    `new_tables` holds tables created earlier in this file or in an earlier
    pending migration of the same run: indexes, defaults and constraints on
    them block nobody.
    """

    file: str
    source: str
    statements: list[Statement]
    transactional: bool = True  # the file runs inside one transaction (no `Transaction: none`)
    phase: str | None = None
    pg_version: int = DEFAULT_PG_VERSION
    runner_sets_timeouts: bool = False  # the runner applies this file and SETs lock/statement timeouts itself
    new_tables: set[str] = field(default_factory=set)
    created_in_file: list[str] = field(default_factory=list)
    lock_timeout_set: bool = False
    statement_timeout_set: bool = False
    rule_state: dict[str, Any] = field(default_factory=dict)  # a rule's own memory across statements
    _line_starts: list[int] = field(default_factory=list, repr=False)  # byte offsets, filled on first use
    _encoded: bytes | None = field(default=None, repr=False)

    def state(self, key: str, new: Callable[[], State]) -> State:
        """The rule memory kept under `key` in `rule_state`, made by `new()` the first time (unlike
        `rule_state.setdefault(key, new())`, which would make one on every statement)."""
        found: State | None = self.rule_state.get(key)
        if found is None:
            found = self.rule_state[key] = new()
        return found

    def is_new(self, table: str) -> bool:
        """Whether `schema.table` was created earlier in this run (so nobody else uses it yet)."""
        return table in self.new_tables

    @property
    def encoded(self) -> bytes:
        """The source as UTF-8: parse-tree locations are byte offsets in it."""
        if self._encoded is None:
            self._encoded = self.source.encode("utf-8")
        return self._encoded

    def position(self, byte_location: int) -> tuple[int, int]:
        """1-based line and column (in characters) of a parse-tree byte location."""
        encoded = self.encoded
        if not self._line_starts:
            starts = [0]
            newline = encoded.find(b"\n")
            while newline != -1:
                starts.append(newline + 1)
                newline = encoded.find(b"\n", newline + 1)
            self._line_starts = starts
        line_index = bisect.bisect_right(self._line_starts, byte_location) - 1
        start = self._line_starts[line_index]
        column = len(encoded[start:byte_location].decode("utf-8", errors="replace")) + 1
        return line_index + 1, column

    def byte_start(self, statement: Statement) -> int:
        """Byte offset in the file of the statement's (stripped) text: where its parse-tree locations count from
        when the text is parsed on its own (`pglast.parser.scan(statement.text)`)."""
        rest = self.source[statement.start :]
        leading = len(rest) - len(rest.lstrip())
        return len(self.source[: statement.start + leading].encode("utf-8"))

    def observe(self, statement: Statement) -> None:
        """Record what `statement` changes for the statements after it."""
        node = statement.node
        if statement.kind in ("CreateStmt", "CreateTableAsStmt"):
            relation = node.get("relation") or node.get("into", {}).get("rel")
            name = tree.qualified_name(relation)
            if name:
                self.new_tables.add(name)
                self.created_in_file.append(name)
        elif statement.kind == "VariableSetStmt":
            setting = node.get("name")
            if setting == "lock_timeout":
                self.lock_timeout_set = True
            elif setting == "statement_timeout":
                self.statement_timeout_set = True
