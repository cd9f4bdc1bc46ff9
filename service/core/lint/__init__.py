"""Lint: dangerous DDL and Supabase security rules, with the safe rewrite (pure: no I/O)."""

from service.core.lint.config import LintConfig
from service.core.lint.engine import FileLint, lint_file
from service.core.lint.model import Finding, Hit, Rule, Severity
from service.core.lint.rules import all_rules

__all__ = ["FileLint", "Finding", "Hit", "LintConfig", "Rule", "Severity", "all_rules", "lint_file"]
