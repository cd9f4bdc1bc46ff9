"""Migration files: name + bytes -> a parsed, checksummed script; a folder's files -> migrations.

Names are `YYYYMMDD_NNN_description.sql` and `YYYYMMDD_NNN_rollback_description.sql`
(DESIGN.md section 3). Every problem is a BadMigrationFile naming the file and
line, raised before anything runs.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from service.core.sql import SqlSyntaxError, Statement, history_table_write, split_statements, transaction_kind
from service.errors import BadMigrationFile

FILE_NAME = re.compile(r"^(?P<date>\d{8})_(?P<sequence>\d{3})_(?P<rollback>rollback_)?(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")
VERSION = re.compile(r"^\d{8}_\d{3}$")
HEADER_LINE = re.compile(r"^--\s*(?P<key>[A-Za-z][A-Za-z-]*)\s*:\s*(?P<value>.*?)\s*$")
NAME_FIX = "name it YYYYMMDD_NNN_description.sql (description in lowercase words joined by _)"


class Phase(StrEnum):
    """The expand/contract phase a file declares (`-- Phase:`)."""

    EXPAND = "expand"
    CONTRACT = "contract"


class ScriptKind(StrEnum):
    """A forward migration or its rollback."""

    MIGRATION = "migration"
    ROLLBACK = "rollback"


@dataclass(frozen=True)
class LintIgnore:
    """A `-- Lint-ignore: RULE -- reason` of a header (whole file) or before a statement."""

    rule: str
    reason: str
    line: int


@dataclass(frozen=True)
class Header:
    """The comment header at the top of a file."""

    description: str | None = None
    author: str | None = None
    date: str | None = None
    phase: Phase | None = None
    transactional: bool = True
    requires: tuple[str, ...] = ()
    lint_ignores: tuple[LintIgnore, ...] = ()


@dataclass(frozen=True)
class Script:
    """One file, ready to run: its statements without an outer BEGIN/COMMIT or history writes."""

    file: str
    version: str
    kind: ScriptKind
    description: str
    header: Header
    checksum: str
    source: str
    statements: tuple[Statement, ...]
    records_itself: bool  # the file had its own INSERT INTO / DELETE FROM schema_migrations
    parsed: tuple[Statement, ...] = ()  # every statement of the file as written (for lint), BEGIN/COMMIT included

    def statements_by_index(self) -> dict[int, Statement]:
        """The runnable statements by their 1-based index in the file."""
        return {statement.index: statement for statement in self.statements}


@dataclass(frozen=True)
class Migration:
    """A version: its forward script and, if present, its rollback."""

    version: str
    up: Script
    down: Script | None

    @property
    def description(self) -> str:
        """From the header, else from the file name."""
        return self.up.description


def checksum(data: bytes) -> str:
    """SHA-256 hex of the bytes with CRLF and CR line endings normalised to LF."""
    import hashlib  # here: `lint` and `--help` need no checksum, and hashlib loads OpenSSL (3 ms)

    return hashlib.sha256(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).hexdigest()


def is_migration_file_name(name: str) -> bool:
    """Whether `name` follows the naming convention (forward or rollback)."""
    return FILE_NAME.match(name) is not None


def parse_script(name: str, data: bytes) -> Script:
    """Parse one file; BadMigrationFile (with file and line) for anything unusable."""
    match = FILE_NAME.match(name)
    if match is None:
        raise BadMigrationFile(name, "is not a migration file name", fix=NAME_FIX)
    try:
        datetime.datetime.strptime(match["date"], "%Y%m%d")
    except ValueError:
        raise BadMigrationFile(name, f"{match['date']} is not a date", fix=NAME_FIX) from None
    version = f"{match['date']}_{match['sequence']}"
    kind = ScriptKind.ROLLBACK if match["rollback"] else ScriptKind.MIGRATION
    source = _decode(name, data)
    header = parse_header(name, source)
    try:
        statements = split_statements(source)
    except SqlSyntaxError as error:
        raise BadMigrationFile(name, f"SQL does not parse: {error.reason} (column {error.column})", line=error.line,
                               fix="fix the statement") from None
    body, records_itself = _runnable_statements(name, version, kind, header, statements)
    return Script(
        file=name,
        version=version,
        kind=kind,
        description=header.description or match["slug"].replace("_", " "),
        header=header,
        checksum=checksum(data),
        source=source,
        statements=tuple(body),
        records_itself=records_itself,
        parsed=tuple(statements),
    )


def parse_header(name: str, source: str) -> Header:
    """The leading `-- Key: value` comments; unknown keys are left alone, bad values are errors."""
    fields: dict[str, object] = {}
    requires: list[str] = []
    ignores: list[LintIgnore] = []
    for number, raw in enumerate(_leading_lines(source), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("--"):
            break
        match = HEADER_LINE.match(line)
        if match is None:
            continue
        key, value = match["key"].lower(), match["value"]
        if key in ("description", "author", "date"):
            fields[key] = value
        elif key == "phase":
            fields["phase"] = _phase(name, number, value)
        elif key == "transaction":
            fields["transactional"] = _transactional(name, number, value)
        elif key == "requires":
            requires.extend(_versions(name, number, value))
        elif key == "lint-ignore":
            ignores.append(parse_lint_ignore(name, number, value))
    return Header(
        description=_str(fields.get("description")),
        author=_str(fields.get("author")),
        date=_str(fields.get("date")),
        phase=fields.get("phase"),  # type: ignore[arg-type]
        transactional=bool(fields.get("transactional", True)),
        requires=tuple(requires),
        lint_ignores=tuple(ignores),
    )


_HEADER_PREFIX = 512  # characters split first: most headers end within them


def _leading_lines(source: str) -> Iterator[str]:
    """`source.splitlines()`, the first lines from a prefix: the header's reader stops at its first statement,
    so a long file is not split whole. Every line of the prefix but its last ends within it, as in the file."""
    if len(source) <= _HEADER_PREFIX:
        yield from source.splitlines()
        return
    first = source[:_HEADER_PREFIX].splitlines()[:-1]
    yield from first
    yield from source.splitlines()[len(first):]


def parse_lint_ignore(name: str, line: int, value: str) -> LintIgnore:
    """`RULE -- reason` (the reason is required)."""
    rule, separator, reason = value.partition("--")
    rule, reason = rule.strip(), reason.strip()
    if not rule or " " in rule:
        raise BadMigrationFile(name, f"Lint-ignore names no rule ({value!r})", line=line,
                               fix="write `-- Lint-ignore: L101 -- the reason`")
    if not separator or not reason:
        raise BadMigrationFile(name, f"Lint-ignore {rule} gives no reason", line=line,
                               fix=f"write `-- Lint-ignore: {rule} -- why this is safe here`")
    return LintIgnore(rule=rule, reason=reason, line=line)


def collect_migrations(files: Iterable[tuple[str, bytes]]) -> list[Migration]:
    """The migrations of a folder's `.sql` files, in version order, each with its rollback if present."""
    forward: dict[str, Script] = {}
    rollbacks: dict[str, Script] = {}
    for name, data in sorted(files):
        script = parse_script(name, data)
        scripts = forward if script.kind is ScriptKind.MIGRATION else rollbacks
        if script.version in scripts:
            raise BadMigrationFile(
                name, f"version {script.version} is also used by {scripts[script.version].file}",
                fix="give one of them the next free sequence number",
            )
        scripts[script.version] = script
    for version, rollback in rollbacks.items():
        if version not in forward:
            raise BadMigrationFile(rollback.file, f"is a rollback of {version}, which has no migration file",
                                   fix="add the migration or remove the rollback")
    for script in forward.values():
        for required in script.header.requires:
            if required not in forward:
                raise BadMigrationFile(script.file, f"requires {required}, which has no migration file",
                                       line=_header_line(script.source, "requires"),
                                       fix="correct the Requires header or add that migration")
    return [Migration(version=v, up=forward[v], down=rollbacks.get(v)) for v in sorted(forward)]


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadMigrationFile(name, f"is not UTF-8 (byte 0x{data[error.start]:02x})", line=line,
                               fix="save the file as UTF-8") from None


def _runnable_statements(
    name: str, version: str, kind: ScriptKind, header: Header, statements: list[Statement]
) -> tuple[list[Statement], bool]:
    body = list(statements)
    first = transaction_kind(body[0]) if body else None
    last = transaction_kind(body[-1]) if body else None
    if header.transactional and first == "begin" and last == "commit":
        body = body[1:-1]
    for statement in body:
        control = transaction_kind(statement)
        if control is not None:
            where = "in a `Transaction: none` file" if not header.transactional else "in the middle of a file"
            raise BadMigrationFile(
                name, f"statement {statement.index} is transaction control ({control.upper()}) {where}",
                line=statement.line,
                fix="remove it: the runner applies each file in exactly one transaction"
                if header.transactional else "remove it: such files run statement by statement",
            )
    runnable: list[Statement] = []
    records_itself = False
    expected = "insert" if kind is ScriptKind.MIGRATION else "delete"
    for statement in body:
        write = history_table_write(statement)
        if write is None:
            runnable.append(statement)
            continue
        action, recorded = write
        if action != expected:
            raise BadMigrationFile(
                name, f"statement {statement.index} {'inserts into' if action == 'insert' else 'deletes from'} "
                "schema_migrations", line=statement.line,
                fix=f"a {kind.value} file may only {expected} its own history row; remove the statement",
            )
        if recorded != version:
            raise BadMigrationFile(
                name, f"statement {statement.index} records version {recorded!r} but the file is version {version}",
                line=statement.line, fix=f"use '{version}' or remove the statement (the runner records the file)",
            )
        records_itself = True
    return runnable, records_itself


def _phase(name: str, line: int, value: str) -> Phase:
    try:
        return Phase(value.lower())
    except ValueError:
        raise BadMigrationFile(name, f"Phase {value!r} is not expand or contract", line=line,
                               fix="write `-- Phase: expand` or `-- Phase: contract`, or remove the line") from None


def _transactional(name: str, line: int, value: str) -> bool:
    if value.lower() == "none":
        return False
    if value.lower() in ("single", "default", "yes", "true"):
        return True
    raise BadMigrationFile(name, f"Transaction {value!r} is not understood", line=line,
                           fix="write `-- Transaction: none` for statements that cannot run in a transaction")


def _versions(name: str, line: int, value: str) -> list[str]:
    versions = [item for item in re.split(r"[\s,]+", value) if item]
    for version in versions:
        if not VERSION.match(version):
            raise BadMigrationFile(name, f"Requires {version!r} is not a version", line=line,
                                   fix="list versions as YYYYMMDD_NNN, separated by commas")
    return versions


def _header_line(source: str, key: str) -> int | None:
    for number, raw in enumerate(source.splitlines(), start=1):
        match = HEADER_LINE.match(raw.strip())
        if match and match["key"].lower() == key:
            return number
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
