"""The SQL that applies (or reverts) one migration atomically, shared by both targets.

One block does it all, so it travels as one `exec_sql` call over the Supabase
API and as one round trip over a direct connection:

1. a transaction-level advisory lock on the version (two runners cannot
   apply the same file at once, even if their answers were lost);
2. the guard: the version must not be recorded yet (`OM001`), or, for a
   rollback, must be (`OM002`);
3. `lock_timeout` and `statement_timeout` for the transaction;
4. each statement through EXECUTE; a failure is re-raised with its SQLSTATE,
   message, detail and hint, and the statement's index in the hint
   (`omnia-statement:N`), so the caller can name the statement;
5. the history row (the INSERT or DELETE after the block).
"""

from __future__ import annotations

from psycopg import sql

from service.core.migrations import Script
from service.core.target import Record, StatementFailed, Timeouts

ALREADY_APPLIED = "OM001"
NOT_APPLIED = "OM002"
STATEMENT_MARKER = "omnia-statement:"
HISTORY_COLUMNS = "(version, description, applied_at, checksum, execution_ms, applied_by, phase)"
# Whether the history table has today's seven columns (a seed-shaped one is upgraded). pg_attribute, not
# information_schema.columns: the view costs a new session about 8 ms, the catalog under 1.
HISTORY_IS_CURRENT = (
    "select count(*) = 7 as current from pg_catalog.pg_attribute"
    " where attrelid = to_regclass('public.schema_migrations') and attnum > 0 and not attisdropped"
    " and attname in ('version', 'description', 'applied_at', 'checksum', 'execution_ms', 'applied_by', 'phase')"
)


def literal(value: object) -> str:
    """A SQL literal, quoted by psycopg (never by hand)."""
    return sql.Literal(value).as_string(None)


def dollar_quoted(text: str, tag: str) -> str:
    """`text` between `$tag$` quotes, with a tag that does not occur in it."""
    while f"${tag}$" in text:
        tag += "_"
    return f"${tag}${text}${tag}$"


def _block(script: Script, version: str, timeouts: Timeouts, *, expect_recorded: bool) -> str:
    quoted_version = literal(version)
    recorded = f"EXISTS (SELECT 1 FROM public.schema_migrations WHERE version = {quoted_version})"
    if expect_recorded:
        guard = (f"IF NOT {recorded} THEN RAISE EXCEPTION USING ERRCODE = '{NOT_APPLIED}', "
                 f"MESSAGE = 'omnia: ' || {quoted_version} || ' is not applied'; END IF;")
    else:
        guard = (f"IF {recorded} THEN RAISE EXCEPTION USING ERRCODE = '{ALREADY_APPLIED}', "
                 f"MESSAGE = 'omnia: ' || {quoted_version} || ' is already applied'; END IF;")
    steps = "\n".join(
        f"    omnia_step := {statement.index};\n    EXECUTE {dollar_quoted(statement.text, f'omnia_s{statement.index}')};"
        for statement in script.statements
    )
    body = f"""
DECLARE
    omnia_step integer := 0;
    omnia_started timestamptz;
    omnia_state text; omnia_message text; omnia_detail text; omnia_hint text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('omnia-migration:' || {quoted_version}, 0));
    {guard}
    PERFORM set_config('lock_timeout', {literal(f"{timeouts.lock_timeout_ms}ms")}, true),
            set_config('statement_timeout', {literal(f"{timeouts.statement_timeout_ms}ms")}, true);
    omnia_started := clock_timestamp();
{steps}
    PERFORM set_config('omnia.execution_ms',
        round(extract(epoch from clock_timestamp() - omnia_started) * 1000)::text, true);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS omnia_state = RETURNED_SQLSTATE, omnia_message = MESSAGE_TEXT,
        omnia_detail = PG_EXCEPTION_DETAIL, omnia_hint = PG_EXCEPTION_HINT;
    RAISE EXCEPTION USING ERRCODE = omnia_state, MESSAGE = omnia_message, DETAIL = omnia_detail,
        HINT = '{STATEMENT_MARKER}' || omnia_step || coalesce(E'\\n' || nullif(omnia_hint, ''), '');
END
"""
    return f"DO {dollar_quoted(body, 'omnia_run')};\n"


def apply_sql(script: Script, record: Record, timeouts: Timeouts) -> str:
    """Apply `script` and record it, or change nothing."""
    values = ", ".join([
        literal(record.version), literal(record.description), "now()", literal(record.checksum),
        "current_setting('omnia.execution_ms')::integer", literal(record.applied_by), literal(record.phase),
    ])
    return (_block(script, record.version, timeouts, expect_recorded=False)
            + f"INSERT INTO public.schema_migrations {HISTORY_COLUMNS} VALUES ({values});")


def revert_sql(script: Script, version: str, timeouts: Timeouts) -> str:
    """Run the rollback `script` and delete the version's history row, or change nothing."""
    return (_block(script, version, timeouts, expect_recorded=True)
            + f"DELETE FROM public.schema_migrations WHERE version = {literal(version)};")


def insert_history_sql(record: Record) -> str:
    """Record a version without running its file (`baseline`)."""
    values = ", ".join([
        literal(record.version), literal(record.description), "now()", literal(record.checksum), "0",
        literal(record.applied_by), literal(record.phase),
    ])
    return f"INSERT INTO public.schema_migrations {HISTORY_COLUMNS} VALUES ({values});"


def statement_failed(sqlstate: str | None, message: str, detail: str | None, hint: str | None) -> StatementFailed:
    """The failure, with the statement index taken back out of the hint."""
    statement_index = None
    if hint and hint.startswith(STATEMENT_MARKER):
        marker, _, rest = hint.partition("\n")
        statement_index = int(marker[len(STATEMENT_MARKER):]) or None
        hint = rest or None
    return StatementFailed(statement_index=statement_index, sqlstate=sqlstate, message=message,
                           detail=detail or None, hint=hint or None)
