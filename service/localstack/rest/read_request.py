"""A table read's query string (`select`, filters, `order`, `limit`, `offset`) parsed into a `ReadQuery`.

The subset supabase-py's probes use, plus the common filters. Names stay
data: `statements` quotes them with `psycopg.sql.Identifier`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from service.localstack.rest.errors import aggregates_disabled, invalid_query_parameter

RESERVED_PARAMETERS = frozenset({"select", "order", "limit", "offset", "columns", "on_conflict", "apikey"})
IS_VALUES = frozenset({"null", "not_null", "true", "false", "unknown"})


class Operator(StrEnum):
    """Filter operators: `?column=op.value`."""

    EQ = "eq"
    NEQ = "neq"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    LIKE = "like"
    ILIKE = "ilike"
    IS = "is"
    IN = "in"


@dataclass(frozen=True)
class SelectItem:
    """One `select` entry: `column`, `alias:column` or `column::type`."""

    column: str
    alias: str | None = None
    cast: str | None = None


@dataclass(frozen=True)
class Filter:
    """`column op value`; `values` holds the list of `in.(a,b)`, `value` everything else."""

    column: str
    operator: Operator
    value: str
    values: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True)
class OrderTerm:
    """One `order` entry: `column[.asc|.desc][.nullsfirst|.nullslast]`."""

    column: str
    descending: bool = False
    nulls_first: bool | None = None


@dataclass(frozen=True)
class ReadQuery:
    """What to read: `columns` None means `*`."""

    columns: tuple[SelectItem, ...] | None
    filters: tuple[Filter, ...]
    order: tuple[OrderTerm, ...]
    limit: int | None
    offset: int


def parse_read_query(parameters: Iterable[tuple[str, str]], *, max_rows: int | None) -> ReadQuery:
    """Parse the query string of `GET /table`; `max_rows` caps `limit` as `db-max-rows` does."""
    columns: tuple[SelectItem, ...] | None = None
    filters: list[Filter] = []
    order: tuple[OrderTerm, ...] = ()
    limit: int | None = None
    offset = 0
    for name, value in parameters:
        if name == "select":
            columns = parse_select(value)
        elif name == "order":
            order = tuple(_parse_order_term(term) for term in value.split(",") if term)
        elif name == "limit":
            limit = _parse_count(name, value)
        elif name == "offset":
            offset = _parse_count(name, value)
        elif name not in RESERVED_PARAMETERS:
            filters.append(_parse_filter(name, value))
    if max_rows is not None:
        limit = max_rows if limit is None else min(limit, max_rows)
    return ReadQuery(columns, tuple(filters), order, limit, offset)


def parse_select(value: str) -> tuple[SelectItem, ...] | None:
    """`*` -> None; `a,alias:b,c::text` -> items. Embedded resources and aggregates are refused."""
    items: list[SelectItem] = []
    for raw in value.split(","):
        entry = raw.strip()
        if entry == "*":
            return None
        if entry.endswith(")"):
            if entry.endswith("()"):
                raise aggregates_disabled()
            raise invalid_query_parameter(
                "failed to parse select parameter", f"embedded resources are not supported locally: {entry}"
            )
        if entry == "":
            raise invalid_query_parameter("failed to parse select parameter", f"empty entry in ({value})")
        aliased_column, _, cast = entry.partition("::")
        alias, colon, column = aliased_column.partition(":")
        if not colon:
            alias, column = "", aliased_column
        items.append(SelectItem(column=column, alias=alias or None, cast=cast or None))
    return tuple(items)


def _parse_count(name: str, value: str) -> int:
    if not value.isdigit():
        raise invalid_query_parameter(f"failed to parse {name} parameter ({value})", "expected a non-negative integer")
    return int(value)


def _parse_filter(column: str, expression: str) -> Filter:
    negated = expression.startswith("not.")
    if negated:
        expression = expression[len("not.") :]
    operator_name, separator, value = expression.partition(".")
    try:
        operator = Operator(operator_name)
    except ValueError:
        operator = None
    if not separator or operator is None:
        raise invalid_query_parameter(
            f'"failed to parse filter ({expression})" (line 1, column 1)',
            f"supported operators: {', '.join(op.value for op in Operator)}",
        )
    if operator is Operator.IS and value not in IS_VALUES:
        raise invalid_query_parameter(
            f'"failed to parse filter ({expression})" (line 1, column 1)', "is. takes null, true, false or unknown"
        )
    if operator is Operator.IN:
        if not (value.startswith("(") and value.endswith(")")):
            raise invalid_query_parameter(
                f'"failed to parse filter ({expression})" (line 1, column 1)', "in. takes a list: in.(a,b)"
            )
        items = tuple(item.strip().strip('"') for item in value[1:-1].split(",") if item.strip())
        return Filter(column, operator, value, items, negated)
    return Filter(column, operator, value, (), negated)


def _parse_order_term(term: str) -> OrderTerm:
    column, *modifiers = term.split(".")
    descending = False
    nulls_first: bool | None = None
    for modifier in modifiers:
        if modifier in ("asc", "desc"):
            descending = modifier == "desc"
        elif modifier in ("nullsfirst", "nullslast"):
            nulls_first = modifier == "nullsfirst"
        else:
            raise invalid_query_parameter(f"failed to parse order ({term})", f"unknown modifier {modifier}")
    return OrderTerm(column, descending, nulls_first)
