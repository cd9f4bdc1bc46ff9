"""Statement splitting with pglast: exact text, line and column, transaction control and history writes."""

from __future__ import annotations

import pytest

from service.core.sql import SqlSyntaxError, history_table_write, split_statements, transaction_kind

TRICKY = """-- café: a comment with ; and COMMIT
BEGIN;
create table t (x text default 'a;b COMMIT;');  -- trailing ; comment
DO $body$
BEGIN
    RAISE NOTICE 'inside; COMMIT; still inside';
END
$body$;
  insert into t values (E'it''s; fine');
COMMIT;
"""


def test_split_keeps_dollar_quotes_and_literals_whole_with_positions() -> None:
    statements = split_statements(TRICKY)
    assert [(s.index, s.line, s.column, s.kind) for s in statements] == [
        (1, 2, 1, "TransactionStmt"),
        (2, 3, 1, "CreateStmt"),
        (3, 4, 1, "DoStmt"),
        (4, 9, 3, "InsertStmt"),
        (5, 10, 1, "TransactionStmt"),
    ]
    assert statements[1].text == "create table t (x text default 'a;b COMMIT;')"
    assert statements[2].text.endswith("END\n$body$")
    assert statements[3].text == "insert into t values (E'it''s; fine')"
    assert [transaction_kind(s) for s in statements] == ["begin", None, None, None, "commit"]


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(SqlSyntaxError) as raised:
        split_statements("select 1;\n\n  selec 2;\n")
    assert (raised.value.line, raised.value.column) == (3, 3)
    assert raised.value.reason == 'syntax error at or near "selec"'


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("insert into schema_migrations (version, description, applied_at) values ('20261124_001', 'd', now())",
         ("insert", "20261124_001")),
        ("INSERT INTO public.schema_migrations (description, version) VALUES ('d', '20261124_002'::text)",
         ("insert", "20261124_002")),
        ("delete from schema_migrations where version = '20261124_001'", ("delete", "20261124_001")),
        ("delete from schema_migrations where '20261124_003' = version", ("delete", "20261124_003")),
        ("delete from schema_migrations where version like '2026%'", ("delete", None)),
        ("insert into other_schema.schema_migrations (version) values ('x')", None),
        ("insert into schema_migrations_backup (version) values ('x')", None),
        ("update schema_migrations set description = 'x'", None),
    ],
)
def test_history_table_writes_are_recognised(sql: str, expected: tuple[str, str | None] | None) -> None:
    (statement,) = split_statements(sql)
    assert history_table_write(statement) == expected


def test_syntax_error_at_end_of_input_points_past_the_last_character() -> None:
    with pytest.raises(SqlSyntaxError) as raised:
        split_statements("select 1;\ncreate or replace trigger tr after insert on t")
    assert raised.value.line == 2
    assert raised.value.reason.startswith("syntax error at end of input")
