"""The migration guide's dangerous examples, as files: each is flagged with the right code and severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core.lint import lint_file

EXAMPLES = Path(__file__).with_name("guide_examples")


@pytest.mark.parametrize(("file", "code", "line"), [
    ("change_column_type.sql", "L106", 3),
    ("set_not_null.sql", "L107", 2),
    ("drop_column.sql", "B202", 2),
    ("rename_drop_old_column.sql", "B202", 2),
    ("index_existing_table.sql", "L101", 3),
    ("backup_copy_in_public.sql", "S501", 2),
])
def test_each_dangerous_example_of_the_guide_is_an_error(file: str, code: str, line: int) -> None:
    findings = lint_file(file, (EXAMPLES / file).read_text(), runner_sets_timeouts=True).findings
    errors = [(f.code, f.line) for f in findings if f.severity == "error"]
    assert (code, line) in errors, findings
