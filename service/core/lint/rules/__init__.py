"""Every lint rule, one module each (squawk's layout); a module's `RULE` is the rule.

Codes and severities follow the team's catalogue (`reference/lint-rules.md`, section 1).
A rule module imports no other rule module: what several rules share lives
beside this package, in `tree` (the JSON parse tree), `ddl` (what DDL
statements do), `supabase` (what the Data API exposes), `nodes` and
`rewrite` (the SQL of the safe rewrites).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from service.core.lint.model import Rule


@cache
def all_rules() -> tuple[Rule, ...]:
    """The rules of this package, by code."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        found.append(importlib.import_module(f"{__name__}.{module.name}").RULE)
    return tuple(sorted(found, key=lambda rule: rule.code))
