"""Lint findings as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields

import orjson

from service.core.lint import Finding, Severity

FINDING_KEYS = tuple(field.name for field in fields(Finding))  # asdict() would deep-copy each value
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(findings: Sequence[Finding], output_format: str) -> str:
    """The findings in `text`, `json` or `github` format."""
    return {"json": as_json, "github": as_github, "text": as_text}[output_format](findings)


def has_errors(findings: Sequence[Finding]) -> bool:
    """Whether any finding is an error (`lint` then exits 1)."""
    return any(finding.severity is Severity.ERROR for finding in findings)


def as_json(findings: Sequence[Finding]) -> str:
    """`{"findings": [...]}` (DESIGN.md section 7), in ASCII (other characters escaped), whatever the terminal.

    orjson writes a Finding's fields in order and its severity by value (a third of json.dumps' time on
    1,500 findings); it writes other characters as UTF-8, so a document with any is written again by json.
    """
    document = orjson.dumps({"findings": findings})
    if document.isascii():
        return document.decode("ascii")
    return json.dumps({"findings": [finding_json(f) for f in findings]})


def finding_json(finding: Finding) -> dict[str, object]:
    """One finding with the stable keys."""
    document: dict[str, object] = {name: getattr(finding, name) for name in FINDING_KEYS}
    document["severity"] = finding.severity.value
    return document


def as_text(findings: Sequence[Finding]) -> str:
    """`file:line:column: severity CODE name: message`, then help and the rewrite, indented."""
    if not findings:
        return "no findings"
    blocks = []
    for finding in findings:
        lines = [f"{finding.file}:{finding.line}:{finding.column}: {finding.severity.value} {finding.code} "
                 f"{finding.name}: {finding.message}", f"    help: {finding.help}"]
        if finding.rewrite:
            lines.append("    rewrite:")
            lines.extend(f"        {line}" for line in finding.rewrite.splitlines())
        blocks.append("\n".join(lines))
    counts = {level: sum(1 for f in findings if f.severity is level) for level in GITHUB_LEVEL}
    summary = ", ".join(f"{count} {level.value}{'s' if count != 1 else ''}" for level, count in counts.items())
    return "\n".join(blocks) + f"\n{summary}"


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one `::error file=...,line=...::message` line per finding."""
    lines = []
    for finding in findings:
        properties = ",".join([
            f"file={_escape_property(finding.file)}", f"line={finding.line}", f"col={finding.column}",
            f"title={_escape_property(f'{finding.code} {finding.name}')}",
        ])
        message = finding.message + (f"\n{finding.help}" if finding.help else "")
        if finding.rewrite:
            message += f"\nSafe rewrite:\n{finding.rewrite}"
        lines.append(f"::{GITHUB_LEVEL.get(finding.severity, 'notice')} {properties}::{_escape_data(message)}")
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
