"""The lint model: severities, rules, what a rule reports (Hit) and what the linter returns (Finding)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.core.lint.context import LintContext
    from service.core.sql import Statement


class Severity(StrEnum):
    """How bad a finding is; `error` findings fail `lint` and stop `up`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"


@dataclass(frozen=True)
class Hit:
    """One place a rule fires: where (a parse-tree byte location), and anything specific to say."""

    location: int | None = None  # byte offset in the file, as pglast gives it; None: the statement's start
    message: str | None = None  # replaces the rule's message when it can be more precise
    rewrite: str | None = None  # the safe SQL for this very statement
    severity: Severity | None = None  # replaces the rule's severity (e.g. a drop in a contract phase)


Check = Callable[["Statement", "LintContext"], Iterable[Hit]]
Finish = Callable[["LintContext"], Iterable[tuple["Statement", Hit]]]
Screen = Callable[[str], bool]


def no_hits(_context: LintContext) -> Iterable[tuple[Statement, Hit]]:
    """The default end-of-file check: nothing."""
    return ()


@dataclass(frozen=True)
class Rule:
    """A lint rule: stable code and kebab-case name, a one-line message, help, and its checks.

    `check` runs on the statements of `kinds`, or on every statement when
    `kinds` is None; `finish` runs once after the file, for rules that need
    all of it (a table created but never given RLS). `kinds` holds statement
    kinds (parse-tree node names: `IndexStmt`, `AlterTableStmt`) and ALTER
    TABLE command subtypes (`AT_AddColumn`): a subtype selects the ALTER
    TABLE statements that have such a command.

    Two optional screens let the engine skip what cannot concern the rule,
    and each must hold for everything the rule reports or remembers:
    `needles` are lower-case words of which every statement the check must
    see spells one (a keyword, or a name unquoted or quoted: `references`,
    `user_meta`), and `screen(source)` is false only for a file in which
    the rule finds nothing (neither check nor finish runs on it).
    """

    code: str
    name: str
    severity: Severity
    message: str
    help: str
    check: Check
    finish: Finish = field(default=no_hits)
    enabled_by_default: bool = True
    kinds: frozenset[str] | None = None
    needles: frozenset[str] | None = None
    screen: Screen | None = None


@dataclass(frozen=True)
class Finding:
    """A rule's finding in a file (DESIGN.md section 7, `lint`)."""

    code: str
    name: str
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    help: str
    rewrite: str | None
