"""T306 identifier-too-long: PostgreSQL silently truncates identifiers to 63 bytes.

The parser truncates names before they reach the parse tree, so this rule
reads PostgreSQL's own lexer tokens (pglast's `scan`) of the statement
instead: an identifier token longer than 63 bytes is reported at the token.
Files and statements that cannot hold one (ASCII, no quote, no run of 64
identifier characters) are not scanned.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import parser

from service.core.lint.context import LintContext
from service.core.lint.model import Hit, Rule, Severity
from service.core.sql import Statement

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1

# Each byte of an unquoted ASCII identifier as `a`, every other byte as a space.
_IDENTIFIER_BYTES = bytes(
    ord("a") if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "_$") else ord(" ")
    for byte in range(256)
)
_LONG_RUN = b"a" * (MAX_IDENTIFIER_BYTES + 1)


def may_hold_long_identifier(text: str) -> bool:
    """A quote, a non-ASCII character or a run of 64 identifier characters: else `text` holds no identifier
    over 63 bytes (an unquoted ASCII identifier is letters, digits, `_` and `$`)."""
    if '"' in text or not text.isascii():
        return True
    return _LONG_RUN in text.encode("ascii").translate(_IDENTIFIER_BYTES)


def _identifier(token_text: str) -> str | None:
    """The identifier a token spells (quotes removed, `""` unescaped), or None for U&"..." forms."""
    if token_text.startswith('"'):
        return token_text[1:-1].replace('""', '"')
    if token_text[:2].upper() == "U&":
        return None
    return token_text.lower() if token_text.isascii() else token_text


def check(statement: Statement, context: LintContext) -> Iterator[Hit]:
    """Every identifier token of the statement over 63 bytes (strings, comments and bodies aside)."""
    text = statement.text
    if not may_hold_long_identifier(text):
        return
    start: int | None = None
    for token in parser.scan(text):  # offsets in characters
        # at most 4 bytes a character: shorter tokens cannot exceed the limit
        if token.name != "IDENT" or (token.end - token.start + 1) * 4 <= MAX_IDENTIFIER_BYTES:
            continue
        name = _identifier(text[token.start : token.end + 1])
        raw = (name or "").encode("utf-8")
        if len(raw) <= MAX_IDENTIFIER_BYTES:
            continue
        if start is None:
            start = context.byte_start(statement)
        truncated = raw[:MAX_IDENTIFIER_BYTES].decode("utf-8", errors="ignore")
        yield Hit(
            location=start + len(text[: token.start].encode("utf-8")),
            message=f"identifier {name} is {len(raw)} bytes: PostgreSQL silently truncates it to {truncated}",
        )


RULE = Rule(
    code="T306",
    name="identifier-too-long",
    severity=Severity.ERROR,
    message="identifier longer than 63 bytes: PostgreSQL silently truncates it, so the name in the database "
    "differs from the one in the code",
    help="Shorten the name to 63 bytes or fewer (longer names can also collide once truncated).",
    check=check,
    screen=may_hold_long_identifier,
)
