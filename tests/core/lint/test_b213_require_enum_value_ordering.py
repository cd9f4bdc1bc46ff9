"""B213 require-enum-value-ordering."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter type status add value 'paused';",
    "ALTER TYPE billing.status ADD VALUE IF NOT EXISTS 'paused';",
    "create type status as enum ('a');\nalter type status add value 'b';",
])
def test_fires_on_add_value_without_a_place(sql: str) -> None:
    assert len(hits(sql, "B213")) == 1


@pytest.mark.parametrize("sql", [
    "alter type status add value 'paused' after 'active';",
    "alter type status add value if not exists 'draft' before 'active';",
    "alter type status rename value 'a' to 'b';",  # B206
    "create type status as enum ('a', 'b');",
])
def test_does_not_fire_when_the_place_is_given(sql: str) -> None:
    assert hits(sql, "B213") == []


def test_reports_at_the_statement_as_info_without_a_rewrite_for_an_unknown_enum() -> None:
    (finding,) = lint("select 1;\nalter type billing.status add value 'paused';", only="B213")
    assert (finding.line, finding.column, finding.severity) == (2, 1, "info")
    assert finding.message == ("ADD VALUE 'paused' to billing.status without BEFORE/AFTER puts it last in the "
                               "enum's sort order: say where it belongs")
    assert finding.rewrite is None


def test_names_the_last_value_when_the_file_shows_the_enum() -> None:
    findings = lint(
        "create type mood as enum ('sad', 'ok');\n"
        "alter type mood add value 'meh' after 'sad';\n"
        "alter type mood rename value 'ok' to 'fine';\n"
        "alter type mood add value 'happy';\n"
        "alter type public.mood add value 'glad';",
        only="B213",
    )
    assert [(f.line, f.rewrite) for f in findings] == [
        (4, "ALTER TYPE mood ADD VALUE 'happy' AFTER 'fine';"),
        (5, "ALTER TYPE public.mood ADD VALUE 'glad' AFTER 'happy';"),
    ]
