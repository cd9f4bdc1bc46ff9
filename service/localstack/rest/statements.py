"""The SQL of a request: the `set_config` preamble, an rpc call, a table read.

Everything from the request is a bound parameter or a `psycopg.sql.Identifier`;
types come from the catalog (schema cache) as qualified identifiers
(`"pg_catalog"."int4"`, `"pg_catalog"."_text"` for `text[]`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql
from psycopg.abc import AdaptContext

from service.localstack.rest.read_request import Filter, Operator, ReadQuery
from service.localstack.rest.schema_cache import Call, Parameter, Relation

COMPARISONS = {
    Operator.EQ: "=",
    Operator.NEQ: "<>",
    Operator.GT: ">",
    Operator.GTE: ">=",
    Operator.LT: "<",
    Operator.LTE: "<=",
    Operator.LIKE: "like",
    Operator.ILIKE: "ilike",
}
NULLS_ORDER = {None: "", True: " nulls first", False: " nulls last"}
SET_RESULT = "select coalesce(pg_catalog.json_agg({}), '[]')::text from {}"
SINGLE_ROW_RESULT = "select coalesce((pg_catalog.json_agg({}) -> 0)::text, 'null') from {}"
IS_KEYWORDS = {"null": "null", "not_null": "not null", "true": "true", "false": "false", "unknown": "unknown"}
CACHED_CALLS = 512  # rpc statements kept composed: (function, bound argument names) pairs


class RenderedQuery(sql.Composed):
    """A composed query whose text never changes: rendered once per client encoding, then reused.

    Only the text is cached (identifiers quoted by psycopg, `%s` placeholders
    left in place); values stay bound parameters of each execution.
    """

    def __init__(self, query: sql.Composable) -> None:
        super().__init__([query])
        self._rendered: dict[str, bytes] = {}

    def as_bytes(self, context: AdaptContext | None = None) -> bytes:
        """The query's text in the encoding of `context`'s connection (rendered on first use)."""
        connection = context.connection if context is not None else None
        encoding = connection.info.encoding if connection is not None else ""
        rendered = self._rendered.get(encoding)
        if rendered is None:
            rendered = self._rendered[encoding] = super().as_bytes(context)
        return rendered


@dataclass(frozen=True)
class Statement:
    """A composed statement and its parameters (a sequence for `%s`, a mapping for `%(name)s`)."""

    query: sql.SQL | sql.Composed
    parameters: Sequence[Any] | Mapping[str, Any]


def preamble(settings: Sequence[tuple[str, str]]) -> Statement:
    """`select set_config(name, value, true), ...`: transaction-local, gone at COMMIT/ROLLBACK."""
    return Statement(_preamble_query(len(settings)), [part for setting in settings for part in setting])


@functools.cache
def _preamble_query(count: int) -> RenderedQuery:
    """The preamble's text for `count` settings (the same for every request of a role)."""
    calls = sql.SQL(", ").join(sql.SQL("pg_catalog.set_config(%s, %s, true)") for _ in range(count))
    return RenderedQuery(sql.SQL("select ") + calls)


def search_path(schemas: Sequence[str]) -> str:
    """`"public", "extensions"`: a search_path value with every schema quoted as an identifier."""
    return ", ".join('"' + schema.replace('"', '""') + '"' for schema in dict.fromkeys(schemas))


def function_call(call: Call, arguments: Mapping[str, Any]) -> Statement:
    """One row, one column: the result's JSON text (`null` for a NULL scalar); ignored for void.

    Named arguments go through `json_to_record` typed from the catalog, as
    PostgREST does; absent parameters keep their defaults. SETOF results are
    aggregated into an array, a single composite into an object.
    """
    if call.whole_body:
        return Statement(_call_query(call, ()), [json.dumps(arguments)])
    bound = tuple(parameter.name for parameter in call.function.parameters if parameter.name in arguments)
    parameters = [json.dumps({name: arguments[name] for name in bound})] if bound else []
    return Statement(_call_query(call, bound), parameters)


@functools.lru_cache(maxsize=CACHED_CALLS)
def _call_query(call: Call, bound: tuple[str, ...]) -> RenderedQuery:
    """The text of a call binding the named arguments `bound` (composed once per function and names)."""
    function = call.function
    invocation, arguments_source = _invocation(call, bound)
    if function.returns_void or not (function.returns_set or function.returns_composite):
        template = "select {}" if function.returns_void else "select pg_catalog.to_json({})::text"
        select = sql.SQL(template).format(invocation)
        if arguments_source is not None:
            select = sql.SQL("{} from {}").format(select, arguments_source)
        return RenderedQuery(select)
    # A composite row is aggregated whole; a scalar through its named column.
    alias = sql.SQL("_result") if function.returns_composite else sql.SQL("_result(_value)")
    element = sql.SQL("_result") if function.returns_composite else sql.SQL("_result._value")
    template = SET_RESULT if function.returns_set else SINGLE_ROW_RESULT
    source = sql.SQL("{} as {}").format(invocation, alias)
    if arguments_source is not None:
        source = sql.SQL("{} cross join lateral {}").format(arguments_source, source)
    return RenderedQuery(sql.SQL(template).format(element, source))


def _invocation(call: Call, bound_names: tuple[str, ...]) -> tuple[sql.Composed, sql.Composed | None]:
    """`"schema"."fn"("a" := _args."a", ...)` and the `json_to_record(%s::json) as _args(...)` it reads."""
    function = call.function
    name = sql.Identifier(function.schema, function.name)
    if call.whole_body:
        return sql.SQL("{}(%s::{})").format(name, _type(function.parameters[0])), None
    bound = [parameter for parameter in function.parameters if parameter.name in bound_names]
    named = sql.SQL(", ").join(
        sql.SQL("{} := _args.{}").format(sql.Identifier(p.name), sql.Identifier(p.name)) for p in bound
    )
    invocation = sql.SQL("{}({})").format(name, named)
    if not bound:
        return invocation, None
    columns = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(p.name), _type(p)) for p in bound)
    source = sql.SQL("pg_catalog.json_to_record(%s::json) as _args({})").format(columns)
    return invocation, source


def read_relation(relation: Relation, query: ReadQuery, *, count_exact: bool) -> Statement:
    """One row: (total or NULL, rows on this page, the page as a JSON array text).

    Columns are referenced as `"schema"."table"."column"`, so `select=count`
    on a table without a `count` column reads `count(t)`: the number of rows
    matching the filters, before LIMIT, as PostgREST (and its clients) expect.
    """
    table = sql.Identifier(relation.schema, relation.name)
    parameters: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    where = _where(relation, query.filters, parameters)
    if query.columns is None:
        columns: sql.Composable = sql.SQL("{}.*").format(table)
    else:
        columns = sql.SQL(", ").join(
            sql.SQL("{}{}{}").format(
                sql.Identifier(relation.schema, relation.name, item.column),
                sql.SQL("::{}").format(sql.Identifier(item.cast)) if item.cast else sql.SQL(""),
                sql.SQL(" as {}").format(sql.Identifier(item.alias)) if item.alias else sql.SQL(""),
            )
            for item in query.columns
        )
    order: sql.Composable = sql.SQL("")
    if query.order:
        order = sql.SQL(" order by ") + sql.SQL(", ").join(
            sql.SQL("{}{}{}").format(
                sql.Identifier(relation.schema, relation.name, term.column),
                sql.SQL(" desc") if term.descending else sql.SQL(" asc"),
                sql.SQL(NULLS_ORDER[term.nulls_first]),
            )
            for term in query.order
        )
    total = (
        sql.SQL("(select pg_catalog.count(*) from {}{})").format(table, where)
        if count_exact
        else sql.SQL("null::bigint")
    )
    statement = sql.SQL(
        "with pgrst_source as (select {columns} from {table}{where}{order}"
        " limit %(limit)s offset %(offset)s)"
        " select {total}, pg_catalog.count(_page), coalesce(pg_catalog.json_agg(_page), '[]')::text"
        " from (select * from pgrst_source) as _page"
    ).format(columns=columns, table=table, where=where, order=order, total=total)
    return Statement(statement, parameters)


def _where(relation: Relation, filters: Sequence[Filter], parameters: dict[str, Any]) -> sql.Composable:
    """` where a = %(f0)s and ...`, adding each filter's values to `parameters`."""
    conditions: list[sql.Composable] = []
    for filter_ in filters:
        column = sql.Identifier(relation.schema, relation.name, filter_.column)
        if filter_.operator is Operator.IS:
            condition: sql.Composable = sql.SQL("{} is {}").format(column, sql.SQL(IS_KEYWORDS[filter_.value]))
        elif filter_.operator is Operator.IN:
            placeholders = []
            for value in filter_.values:
                key = f"f{len(parameters)}"
                parameters[key] = value
                placeholders.append(sql.Placeholder(key))
            condition = (
                sql.SQL("{} in ({})").format(column, sql.SQL(", ").join(placeholders))
                if placeholders
                else sql.SQL("false")
            )
        else:
            key = f"f{len(parameters)}"
            value = filter_.value
            if filter_.operator in (Operator.LIKE, Operator.ILIKE):
                value = value.replace("*", "%")
            parameters[key] = value
            condition = sql.SQL("{} {} {}").format(column, sql.SQL(COMPARISONS[filter_.operator]), sql.Placeholder(key))
        conditions.append(sql.SQL("not ({})").format(condition) if filter_.negated else condition)
    if not conditions:
        return sql.SQL("")
    return sql.SQL(" where ") + sql.SQL(" and ").join(conditions)


def _type(parameter: Parameter) -> sql.Identifier:
    """The parameter's type as a qualified identifier, straight from the catalog."""
    return sql.Identifier(parameter.type_schema, parameter.type_name)
