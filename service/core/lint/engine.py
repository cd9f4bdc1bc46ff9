"""Linting a file: run each active rule on the statements of its kinds, then apply the file's suppressions.

A rule with needles runs only on the statements whose text spells one of
them, and a rule with a screen only on the files it lets through (see
`Rule`); a statement with an escape (`\\`, `U&`) is shown to every rule of
its kind, since an escape can spell a word without its letters.

Suppressions: `-- Lint-ignore: RULE -- reason` in the header silences RULE
for the whole file; `-- lint-ignore: RULE -- reason` on the lines right
before a statement silences it for that statement. RULE is a code or a name.
An ignore that silences nothing is itself reported (`unused-ignore`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from service.core.lint.config import LintConfig
from service.core.lint.context import LintContext
from service.core.lint.model import Finding, Hit, Rule, Severity, no_hits
from service.core.lint.rules import all_rules
from service.core.migrations import LintIgnore, parse_header, parse_lint_ignore
from service.core.sql import SqlSyntaxError, Statement, split_statements
from service.errors import BadMigrationFile

INLINE_IGNORE = re.compile(r"^\s*--\s*lint-ignore\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
ANY_INLINE_IGNORE = re.compile(r"lint-ignore", re.IGNORECASE)  # files without one skip the line-by-line search
UNUSED_IGNORE = Rule(
    code="M001", name="unused-ignore", severity=Severity.WARNING,
    message="this lint-ignore silences nothing",
    help="Remove it, or correct the rule code or name it should silence.",
    check=lambda statement, context: (),
)
DEFAULT_CONFIG = LintConfig()
# The guide's second phase: dropping what the first phase replaced is the plan, not an accident.
DOWNGRADED_IN_CONTRACT = frozenset({"B201", "B202", "B204", "B205"})


@dataclass(frozen=True)
class FileLint:
    """The findings of one file, and the tables it creates (new for the files after it)."""

    findings: tuple[Finding, ...]
    created_tables: tuple[str, ...]


def lint_file(
    file: str,
    source: str,
    *,
    config: LintConfig = DEFAULT_CONFIG,
    new_tables: Iterable[str] = (),
    runner_sets_timeouts: bool = False,
    rules: Sequence[Rule] | None = None,
    statements: Sequence[Statement] | None = None,
) -> FileLint:
    """Lint one file's SQL; BadMigrationFile if it does not parse or an ignore has no reason.

    `statements`: the file's statements when the caller has split `source` already (a migration's Script).
    """
    header = parse_header(file, source)
    if statements is None:
        try:
            statements = split_statements(source)
        except SqlSyntaxError as error:
            raise BadMigrationFile(file, f"SQL does not parse: {error.reason} (column {error.column})",
                                   line=error.line, fix="fix the statement") from None
    statements = list(statements)
    context = LintContext(
        file=file, source=source, statements=statements, transactional=header.transactional,
        phase=header.phase.value if header.phase else None, pg_version=config.pg_version,
        runner_sets_timeouts=runner_sets_timeouts, new_tables=set(new_tables),
    )
    plan = _plan(config, tuple(rules) if rules is not None else all_rules()).for_file(source)
    raw: list[tuple[Statement, Rule, Severity, Hit]] = []
    for statement in statements:
        for rule, severity in plan.for_statement(statement):
            for hit in rule.check(statement, context):
                raw.append((statement, rule, severity, hit))
        context.observe(statement)
    for rule, severity in plan.finishing:
        raw.extend((statement, rule, severity, hit) for statement, hit in rule.finish(context))

    inline = _inline_ignores(file, source, statements)
    used: set[LintIgnore] = set()
    findings = []
    for statement, rule, severity, hit in raw:
        ignore = _silencer(rule, header.lint_ignores) or _silencer(rule, inline.get(statement.index, ()))
        if ignore is not None:
            used.add(ignore)
            continue
        findings.append(_finding(context, statement, rule, severity, hit))
    for ignore in [*header.lint_ignores, *(i for group in inline.values() for i in group)]:
        if ignore not in used and config.severity_of(UNUSED_IGNORE) is not Severity.OFF:
            findings.append(Finding(
                UNUSED_IGNORE.code, UNUSED_IGNORE.name, Severity.WARNING, file, ignore.line, 1,
                f"lint-ignore {ignore.rule} silences nothing here", UNUSED_IGNORE.help, None,
            ))
    findings.sort(key=lambda finding: (finding.line, finding.column, finding.code))
    return FileLint(tuple(findings), tuple(context.created_in_file))


class _Plan:
    """The active rules of one configuration, with their severities, and which of them each statement needs:
    the rules of its kind (computed once per kind, then looked up) whose needles its text spells."""

    def __init__(self, active: list[tuple[Rule, Severity]], *, screened: bool = False) -> None:
        """`screened`: the screens were applied already (a file's plan), so `for_file` returns the plan itself."""
        self.active = active
        self.finishing = [(rule, severity) for rule, severity in active if rule.finish is not no_hits]
        self._screened = [] if screened else [rule for rule, _ in active if rule.screen is not None]
        self._for_files: dict[tuple[bool, ...], _Plan] = {}
        self._by_kind: dict[str | tuple[str, ...], _KindPlan] = {}

    def for_file(self, source: str) -> _Plan:
        """This plan without the rules whose screen rules `source` out."""
        if not self._screened:
            return self
        passed = tuple([rule.screen(source) for rule in self._screened if rule.screen is not None])
        plan = self._for_files.get(passed)
        if plan is None:
            out = {rule.code for rule, kept in zip(self._screened, passed, strict=True) if not kept}
            plan = self._for_files[passed] = _Plan([pair for pair in self.active if pair[0].code not in out],
                                                   screened=True)
        return plan

    def for_statement(self, statement: Statement) -> list[tuple[Rule, Severity]]:
        """The rules whose check runs on `statement`, in code order."""
        key: str | tuple[str, ...] = statement.kind
        if key == "AlterTableStmt":  # every command of an ALTER TABLE is an AlterTableCmd with a subtype
            key = (key, *[item["AlterTableCmd"]["subtype"] for item in statement.node.get("cmds", ())])
        found = self._by_kind.get(key)
        if found is None:
            keys = {key} if isinstance(key, str) else set(key)
            found = self._by_kind[key] = _KindPlan([(rule, severity) for rule, severity in self.active
                                                    if rule.kinds is None or not rule.kinds.isdisjoint(keys)])
        return found.for_text(statement.text) if found.needles else found.rules


class _KindPlan:
    """The rules of one kind of statement, and those of them a statement's text selects by their needles."""

    def __init__(self, rules: list[tuple[Rule, Severity]]) -> None:
        self.rules = rules
        self.needles = sorted({needle for rule, _ in rules for needle in rule.needles or ()})
        self._by_needles: dict[tuple[bool, ...], list[tuple[Rule, Severity]]] = {}

    def for_text(self, text: str) -> list[tuple[Rule, Severity]]:
        """The rules with no needles, and those whose needles `text` spells."""
        text = text.lower()
        if "\\" in text or "u&" in text:  # escapes (E'\x41', U&"\0041") spell words without their letters
            return self.rules
        spelled = tuple([needle in text for needle in self.needles])
        found = self._by_needles.get(spelled)
        if found is None:
            present = {needle for needle, there in zip(self.needles, spelled, strict=True) if there}
            found = self._by_needles[spelled] = [(rule, severity) for rule, severity in self.rules
                                                 if rule.needles is None or not rule.needles.isdisjoint(present)]
        return found


_PLANS: dict[tuple[int, int], tuple[LintConfig, tuple[Rule, ...], _Plan]] = {}


def _plan(config: LintConfig, rules: tuple[Rule, ...]) -> _Plan:
    """The plan of `config` for `rules`, kept for the next file linted with the same two."""
    key = (id(config), id(rules))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is config and cached[1] is rules:
        return cached[2]
    active = [(rule, config.severity_of(rule)) for rule in rules]
    plan = _Plan([(rule, severity) for rule, severity in active if severity is not Severity.OFF])
    if len(_PLANS) > 16:
        _PLANS.clear()
    _PLANS[key] = (config, rules, plan)
    return plan


def _finding(context: LintContext, statement: Statement, rule: Rule, severity: Severity, hit: Hit) -> Finding:
    if hit.location is not None:
        line, column = context.position(hit.location)
    else:
        line, column = statement.line, statement.column
    level = hit.severity or severity
    if rule.code in DOWNGRADED_IN_CONTRACT and context.phase == "contract" and level is Severity.ERROR:
        level = Severity.WARNING
    return Finding(rule.code, rule.name, level, context.file, line, column, hit.message or rule.message,
                   rule.help, hit.rewrite)


def _silencer(rule: Rule, ignores: Iterable[LintIgnore]) -> LintIgnore | None:
    return next((i for i in ignores if i.rule in (rule.code, rule.name) or i.rule.upper() == rule.code), None)


def _inline_ignores(file: str, source: str, statements: list[Statement]) -> dict[int, tuple[LintIgnore, ...]]:
    """`-- lint-ignore:` comments between a statement and the one before it (the header covers the first)."""
    found: dict[int, tuple[LintIgnore, ...]] = {}
    if not _may_have_inline_ignore(source):
        return found
    lines = source.splitlines()
    for previous, statement in pairwise(statements):
        first_line = previous.line + previous.text.count("\n")
        last_text_line = previous.text.rsplit("\n", 1)[-1]
        end_column = len(last_text_line) + (previous.column if "\n" not in previous.text else 1)
        ignores = []
        for number in range(first_line, statement.line + 1):
            text = lines[number - 1]
            if number == statement.line:
                text = text[: statement.column - 1]
            if number == first_line:
                text = text[end_column - 1:].lstrip(" ;\t")
            match = INLINE_IGNORE.match(text)
            if match:
                ignores.append(parse_lint_ignore(file, number, match["value"]))
        if ignores:
            found[statement.index] = tuple(ignores)
    return found


def _may_have_inline_ignore(source: str) -> bool:
    """Whether `source` spells `lint-ignore` in any case (an ASCII file is searched lower-cased: 10x faster)."""
    if source.isascii():
        return "lint-ignore" in source.lower()
    return ANY_INLINE_IGNORE.search(source) is not None
