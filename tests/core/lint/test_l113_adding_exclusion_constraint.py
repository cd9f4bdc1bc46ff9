"""L113 adding-exclusion-constraint."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

EXCLUDE = "exclude using gist (room with =, during with &&)"


@pytest.mark.parametrize("sql", [
    f"alter table bookings add constraint no_overlap {EXCLUDE};",
    f"alter table bookings add {EXCLUDE};",
])
def test_fires_on_an_exclusion_constraint_on_an_existing_table(sql: str) -> None:
    assert len(hits(sql, "L113")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    (f"create table bookings (room int, during tstzrange, {EXCLUDE});", ()),
    (f"create table bookings (room int, during tstzrange);\nalter table bookings add {EXCLUDE};", ()),
    (f"alter table bookings add {EXCLUDE};", ("public.bookings",)),
    ("alter table bookings add constraint positive check (room > 0) not valid;", ()),
])
def test_does_not_fire_on_new_tables_or_other_constraints(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L113", new_tables=new_tables) == []


def test_points_at_the_constraint_and_offers_no_rewrite() -> None:
    (finding,) = lint(f"select 1;\nalter table bookings add constraint no_overlap {EXCLUDE};", only="L113")
    assert (finding.line, finding.column, finding.severity) == (2, 26, "warning")
    assert finding.rewrite is None
    assert "maintenance window" in finding.help
