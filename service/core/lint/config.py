"""Which rules run and at what severity: `[lint]` of omnia.toml, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from service.core.lint.context import DEFAULT_PG_VERSION
from service.core.lint.model import Rule, Severity


@dataclass(frozen=True)
class LintConfig:
    """`select` and `ignore` take codes (`L101`), code prefixes (`L1`, `S`) or names; `severity` re-levels rules."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    pg_version: int = DEFAULT_PG_VERSION

    def severity_of(self, rule: Rule) -> Severity:
        """The rule's severity after re-levelling; OFF when not selected or ignored."""
        if self.ignore and any(_matches(rule, pattern) for pattern in self.ignore):
            return Severity.OFF
        if self.select:
            if not any(_matches(rule, pattern) for pattern in self.select):
                return Severity.OFF
        elif not rule.enabled_by_default:
            return Severity.OFF
        for pattern, severity in self.severity.items():
            if _matches(rule, pattern):
                return severity
        return rule.severity


def _matches(rule: Rule, pattern: str) -> bool:
    return pattern == rule.name or rule.code.startswith(pattern.upper())
