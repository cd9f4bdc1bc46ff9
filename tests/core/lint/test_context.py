"""LintContext: the per-file memory rules share."""

from service.core.lint.context import LintContext


def test_state_is_made_once_then_kept() -> None:
    context = LintContext(file="f.sql", source="", statements=[])
    made: list[int] = []

    def new() -> list[int]:
        made.append(1)
        return []

    first = context.state("X", new)
    first.append(7)
    assert context.state("X", new) is first
    assert context.rule_state["X"] == [7]
    assert made == [1]
