"""The lint benchmark's corpus: migration files, safe and dangerous mixed, each with the findings it should get.

    generate(count, seed) -> [CorpusFile]; write(folder, files)

Every file is named as a migration (`YYYYMMDD_NNN_description.sql`), starts
with `SET LOCAL lock_timeout` / `statement_timeout` (plain SET in the files
marked `-- Transaction: none`), and has about 16 statements. A dangerous
file mixes safe statements with one to four dangerous patterns; each
pattern names the codes of OUR rules it triggers (`intended`). Safe files
use the safe form of the same operations: CONCURRENTLY in `-- Transaction:
none` files, NOT VALID in one file and VALIDATE in a later one, indexes on
tables created in the same file, text / timestamptz / jsonb / bigint
identity columns, row level security enabled, `(select auth.uid())`,
SECURITY DEFINER functions with their EXECUTE revoked. The patterns are
ones squawk knows too wherever it has a rule for them.

Tables named in `EXISTING` stand for tables created by earlier migrations.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXISTING = ("accounts", "orders", "invoices", "payments", "customers", "events", "sessions", "products",
            "shipments", "reviews", "messages", "teams", "projects", "tickets", "comments", "documents")
WORDS = ("status", "note", "region", "score", "label", "source", "amount", "rank", "level", "tier", "weight",
         "origin", "channel", "locale", "flag", "counter")
FIRST_DAY = datetime.date(2026, 1, 1)
STATEMENTS_PER_FILE = 16
SAFE_SHARE = 0.4  # of the files


@dataclass(frozen=True)
class CorpusFile:
    """One migration file, and the codes of our rules it should trigger (none for a safe file)."""

    name: str
    text: str
    intended: frozenset[str]
    safe: bool


@dataclass
class _Names:
    """Fresh, file-unique names (columns, tables, indexes, functions), so no two statements collide."""

    number: int
    used: int = 0

    def fresh(self, stem: str) -> str:
        self.used += 1
        return f"{stem}_{self.number}_{self.used}"


# A pattern: (random, names) -> (statements, codes of our rules they trigger).
Pattern = Callable[[random.Random, _Names], tuple[list[str], set[str]]]


def _existing(rng: random.Random) -> str:
    return f"public.{rng.choice(EXISTING)}"


def _column(rng: random.Random, names: _Names) -> str:
    return names.fresh(rng.choice(WORDS))


def _new_table(names: _Names, columns: str) -> list[str]:
    """A table created in this file with RLS on and an index on its owner: all of it safe."""
    table = names.fresh("items")
    return [
        (f"CREATE TABLE public.{table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        f"owner_id uuid NOT NULL, {columns}created_at timestamptz NOT NULL DEFAULT now());"),
        f"ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY;",
        f"CREATE INDEX {table}_owner_id_idx ON public.{table} (owner_id);",
        (f"CREATE POLICY {table}_owner ON public.{table} FOR SELECT TO authenticated "
        "USING ((select auth.uid()) = owner_id);"),
    ]


# ---- dangerous patterns (each with the codes it triggers) ----

def _index_not_concurrent(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table, column = _existing(rng), _column(rng, names)
    return [f"CREATE INDEX {names.fresh('idx')} ON {table} ({column});"], {"L101"}


def _concurrent_in_transaction(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table, column = _existing(rng), _column(rng, names)
    return [f"CREATE INDEX CONCURRENTLY {names.fresh('idx')} ON {table} ({column});"], {"L104"}


def _volatile_default(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ADD COLUMN {_column(rng, names)} uuid DEFAULT gen_random_uuid();"], {"L105"}


def _column_type(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ALTER COLUMN {_column(rng, names)} TYPE bigint;"], {"L106"}


def _set_not_null(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ALTER COLUMN {_column(rng, names)} SET NOT NULL;"], {"L107"}


def _foreign_key(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table, column = _existing(rng), _column(rng, names)
    return [(f"ALTER TABLE {table} ADD CONSTRAINT {names.fresh('fk')} FOREIGN KEY ({column}) "
            f"REFERENCES {_existing(rng)} (id);")], {"L108"}


def _check(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    column = _column(rng, names)
    return [f"ALTER TABLE {_existing(rng)} ADD CONSTRAINT {names.fresh('chk')} CHECK ({column} > 0);"], {"L109"}


def _validate_same_transaction(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table, column, constraint = _existing(rng), _column(rng, names), names.fresh("chk")
    return [f"ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK ({column} > 0) NOT VALID;",
            f"ALTER TABLE {table} VALIDATE CONSTRAINT {constraint};"], {"L110"}


def _unique(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    column = _column(rng, names)
    return [f"ALTER TABLE {_existing(rng)} ADD CONSTRAINT {names.fresh('uq')} UNIQUE ({column});"], {"L111"}


def _primary_key(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ADD PRIMARY KEY ({_column(rng, names)});"], {"L112"}


def _drop_index(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"DROP INDEX public.{names.fresh('old_idx')};"], {"L102"}


def _drop_table(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"DROP TABLE public.{names.fresh('legacy')};"], {"B201"}


def _drop_column(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} DROP COLUMN {_column(rng, names)};"], {"B202"}


def _rename_table(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE public.{names.fresh('legacy')} RENAME TO {names.fresh('renamed')};"], {"B204"}


def _rename_column(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    column = _column(rng, names)
    return [f"ALTER TABLE {_existing(rng)} RENAME COLUMN {column} TO {column}_v2;"], {"B205"}


def _required_column(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ADD COLUMN {_column(rng, names)} text NOT NULL;"], {"B207"}


def _drop_not_null(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"ALTER TABLE {_existing(rng)} ALTER COLUMN {_column(rng, names)} DROP NOT NULL;"], {"B208"}


def _truncate_cascade(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"TRUNCATE {_existing(rng)} CASCADE;"], {"B212"}


def _column_of_type(sql_type: str, codes: set[str]) -> Pattern:
    def pattern(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
        return [f"ALTER TABLE {_existing(rng)} ADD COLUMN {_column(rng, names)} {sql_type};"], set(codes)
    return pattern


def _serial_table(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table = names.fresh("items")
    return [f"CREATE TABLE public.{table} (id serial PRIMARY KEY, title text NOT NULL);",
            f"ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY;"], {"T301", "T302"}


def _table_without_rls(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    table = names.fresh("items")
    return [(f"CREATE TABLE public.{table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "title text NOT NULL);")], {"S501"}


def _unwrapped_auth_uid(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [(f"CREATE POLICY {names.fresh('own_rows')} ON {_existing(rng)} FOR SELECT TO authenticated "
            "USING (auth.uid() = owner_id);")], {"S503"}


def _always_true_write(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [(f"CREATE POLICY {names.fresh('anyone')} ON {_existing(rng)} FOR UPDATE TO authenticated "
            "USING (true);")], {"S505"}


def _definer_view(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"CREATE VIEW public.{names.fresh('summary')} AS SELECT id FROM {_existing(rng)};"], {"S506"}


def _function_without_search_path(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [(f"CREATE FUNCTION public.{names.fresh('total')}() RETURNS bigint LANGUAGE sql "
            f"AS $$ SELECT count(*) FROM {_existing(rng)} $$;")], {"S507"}


def _definer_function(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [(f"CREATE FUNCTION public.{names.fresh('purge')}() RETURNS void LANGUAGE sql SECURITY DEFINER "
            f"SET search_path = '' AS $$ DELETE FROM {_existing(rng)} WHERE false $$;")], {"S508"}


def _extension_in_public(rng: random.Random, names: _Names) -> tuple[list[str], set[str]]:
    return [f"CREATE EXTENSION IF NOT EXISTS {rng.choice(('pg_trgm', 'citext', 'hstore', 'ltree'))};"], {"S509"}


DANGEROUS: tuple[Pattern, ...] = (
    _index_not_concurrent, _concurrent_in_transaction, _volatile_default, _column_type, _set_not_null,
    _foreign_key, _check, _validate_same_transaction, _unique, _primary_key, _drop_index, _drop_table,
    _drop_column, _rename_table, _rename_column, _required_column, _drop_not_null, _truncate_cascade,
    _column_of_type("varchar(64)", {"L119"}), _column_of_type("timestamp", {"T303"}),
    _column_of_type("json", {"T305"}), _column_of_type("integer", {"T301"}), _serial_table, _table_without_rls,
    _unwrapped_auth_uid, _always_true_write, _definer_view, _function_without_search_path, _definer_function,
    _extension_in_public,
)


# ---- safe statements ----

def _safe_filler(rng: random.Random, names: _Names) -> list[str]:
    """A few statements a careful migration makes in a transaction: none is flagged."""
    choice = rng.randrange(7)
    table, column = _existing(rng), _column(rng, names)
    if choice == 0:
        return _new_table(names, f"{column} jsonb, ")
    if choice == 1:
        return [f"ALTER TABLE {table} ADD COLUMN {column} text;"]
    if choice == 2:
        return [f"ALTER TABLE {table} ADD COLUMN {column} boolean NOT NULL DEFAULT false;"]
    if choice == 3:
        return [f"ALTER TABLE {table} ADD COLUMN {column} timestamptz;",
                f"COMMENT ON COLUMN {table}.{column} IS 'when it last changed';"]
    if choice == 4:
        function = names.fresh("touch")
        return [(f"CREATE FUNCTION public.{function}() RETURNS trigger LANGUAGE plpgsql SET search_path = '' "
                "AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;")]
    if choice == 5:
        function = names.fresh("archive")
        return [(f"CREATE FUNCTION public.{function}(target bigint) RETURNS void LANGUAGE sql SECURITY DEFINER "
                f"SET search_path = '' AS $$ UPDATE {table} SET archived = true WHERE id = target $$;"),
                f"REVOKE EXECUTE ON FUNCTION public.{function}(bigint) FROM PUBLIC, anon, authenticated;"]
    view = names.fresh("recent")
    return [f"CREATE VIEW public.{view} WITH (security_invoker = true) AS SELECT id FROM {table};"]


def _transactional(statements: list[str]) -> str:
    head = ["SET LOCAL lock_timeout = '5s';", "SET LOCAL statement_timeout = '15min';"]
    return "\n".join(["-- Description: generated for the lint benchmark", *head, *statements]) + "\n"


def _dangerous_file(rng: random.Random, names: _Names) -> tuple[str, frozenset[str]]:
    picked = rng.sample(DANGEROUS, rng.randint(1, 4))
    blocks: list[list[str]] = []
    codes: set[str] = set()
    for pattern in picked:
        statements, triggered = pattern(rng, names)
        blocks.append(statements)
        codes |= triggered
    while sum(map(len, blocks)) < STATEMENTS_PER_FILE - 2:
        blocks.insert(rng.randrange(len(blocks) + 1), _safe_filler(rng, names))
    return _transactional([statement for block in blocks for statement in block]), frozenset(codes)


def _safe_file(rng: random.Random, names: _Names, pending_validations: list[tuple[str, str]]) -> str:
    kind = rng.randrange(4)
    statements: list[str] = []
    if kind == 0 and pending_validations:  # validate what an earlier file added NOT VALID
        taken = [pending_validations.pop(0) for _ in range(min(len(pending_validations), 14))]
        return _transactional([f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};" for table, name in taken])
    if kind == 1:  # add constraints NOT VALID (validated by a later file)
        while len(statements) < STATEMENTS_PER_FILE - 2:
            table, column, name = _existing(rng), _column(rng, names), names.fresh("chk")
            if rng.random() < 0.5:
                statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} > 0) NOT VALID;")
            else:
                statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
                                  f"REFERENCES {_existing(rng)} (id) NOT VALID;")
            pending_validations.append((table, name))
        return _transactional(statements)
    if kind == 2:  # concurrent index builds and drops, outside a transaction, rerunnable
        while len(statements) < STATEMENTS_PER_FILE - 2:
            table, column = _existing(rng), _column(rng, names)
            if rng.random() < 0.6:
                statements.append(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {names.fresh('idx')} "
                                  f"ON {table} ({column});")
            else:
                statements.append(f"DROP INDEX CONCURRENTLY IF EXISTS public.{names.fresh('old_idx')};")
        head = ["-- Transaction: none", "SET lock_timeout = '5s';", "SET statement_timeout = '15min';"]
        return "\n".join([*head, *statements]) + "\n"
    while len(statements) < STATEMENTS_PER_FILE - 2:
        statements.extend(_safe_filler(rng, names))
    return _transactional(statements)


def generate(count: int = 1000, seed: int = 20261124) -> list[CorpusFile]:
    """`count` files, the same ones for the same seed."""
    rng = random.Random(seed)
    pending_validations: list[tuple[str, str]] = []
    files = []
    for number in range(1, count + 1):
        names = _Names(number)
        day = FIRST_DAY + datetime.timedelta(days=(number - 1) // 10)
        stem = f"{day:%Y%m%d}_{(number - 1) % 10 + 1:03d}"
        if rng.random() < SAFE_SHARE:
            text = _safe_file(rng, names, pending_validations)
            files.append(CorpusFile(f"{stem}_safe_change_{number}.sql", text, frozenset(), True))
        else:
            text, codes = _dangerous_file(rng, names)
            files.append(CorpusFile(f"{stem}_risky_change_{number}.sql", text, codes, False))
    return files


def write(folder: Path, files: list[CorpusFile]) -> list[Path]:
    """Write the files into `folder` (created); their paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for corpus_file in files:
        path = folder / corpus_file.name
        path.write_text(corpus_file.text, encoding="utf-8")
        paths.append(path)
    return paths
