"""The schema cache: what PostgREST knows about the exposed schemas, and how requests are matched to it.

Pure data; `schema_loader` fills it from the catalog. As in PostgREST v13, a
table or function created after the last load is unknown (PGRST205/PGRST202)
until the cache is reloaded (`NOTIFY pgrst, 'reload schema'`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from service.localstack.rest.errors import ambiguous_function, function_not_found, table_not_found

JSON_TYPES = frozenset({("pg_catalog", "json"), ("pg_catalog", "jsonb")})
SUGGESTION_CUTOFF = 0.6  # difflib ratio; PostgREST uses a fuzzy set, any close name will do


class Volatility(StrEnum):
    """`pg_proc.provolatile`: POST calls to STABLE/IMMUTABLE functions run in read-only transactions."""

    IMMUTABLE = "i"
    STABLE = "s"
    VOLATILE = "v"


@dataclass(frozen=True)
class Relation:
    """A table, view, materialized view, foreign or partitioned table (`relkind`)."""

    schema: str
    name: str
    kind: str


@dataclass(frozen=True)
class Parameter:
    """An input parameter of a function: its name ('' when unnamed) and its type."""

    name: str
    type_schema: str
    type_name: str

    @property
    def is_json(self) -> bool:
        """Whether the parameter is json or jsonb (a single unnamed one receives the whole body)."""
        return (self.type_schema, self.type_name) in JSON_TYPES


@dataclass(frozen=True)
class Function:
    """A function of an exposed schema, as far as calling it over `/rpc` needs."""

    schema: str
    name: str
    parameters: tuple[Parameter, ...]
    defaults_count: int
    volatility: Volatility
    returns_set: bool
    returns_void: bool
    returns_composite: bool

    @property
    def required_names(self) -> frozenset[str]:
        """Parameters without a default (defaults belong to the last `defaults_count` parameters)."""
        required = self.parameters[: len(self.parameters) - self.defaults_count]
        return frozenset(parameter.name for parameter in required)

    @property
    def parameter_names(self) -> frozenset[str]:
        """Every input parameter's name."""
        return frozenset(parameter.name for parameter in self.parameters)

    @property
    def read_only(self) -> bool:
        """STABLE and IMMUTABLE functions run in a READ ONLY transaction."""
        return self.volatility is not Volatility.VOLATILE

    @property
    def takes_single_json(self) -> bool:
        """Whether the function takes exactly one unnamed json/jsonb parameter (the whole body)."""
        return len(self.parameters) == 1 and self.parameters[0].name == "" and self.parameters[0].is_json

    def accepts(self, argument_names: frozenset[str]) -> bool:
        """Whether named arguments `argument_names` bind: every required one given, none unknown."""
        return self.required_names <= argument_names <= self.parameter_names

    def signature(self) -> str:
        """`a => integer, b => text`, for error messages."""
        return ", ".join(f"{parameter.name} => {parameter.type_name}" for parameter in self.parameters)


@dataclass(frozen=True)
class Call:
    """The function a request resolved to; `whole_body` when the body is its single json argument."""

    function: Function
    whole_body: bool = False


@dataclass(frozen=True)
class SchemaCache:
    """Relations and functions of the exposed schemas, plus each role's `ALTER ROLE ... SET` settings."""

    relations: Mapping[tuple[str, str], Relation]
    functions: Mapping[tuple[str, str], tuple[Function, ...]]
    role_settings: Mapping[str, tuple[tuple[str, str], ...]]

    def find_relation(self, schema: str, name: str) -> Relation:
        """The relation `schema.name`, or 404 PGRST205 naming the closest known table."""
        relation = self.relations.get((schema, name))
        if relation is None:
            known = [known_name for known_schema, known_name in self.relations if known_schema == schema]
            raise table_not_found(schema, name, _closest(name, known))
        return relation

    def find_function(self, schema: str, name: str, argument_names: frozenset[str], *, json_body: bool) -> Call:
        """The overload of `schema.name` these named arguments bind to, or 404 PGRST202 / 300 PGRST203.

        With a JSON body (POST) a function taking one unnamed json/jsonb
        parameter also matches, receiving the whole body.
        """
        overloads = self.functions.get((schema, name), ())
        matches = [function for function in overloads if function.accepts(argument_names)]
        if len(matches) > 1:
            raise ambiguous_function(schema, name, [function.signature() for function in matches])
        if matches:
            return Call(matches[0])
        if json_body:
            single_json = [function for function in overloads if function.takes_single_json]
            if len(single_json) == 1:
                return Call(single_json[0], whole_body=True)
        raise function_not_found(
            schema,
            name,
            argument_names,
            json_body=json_body,
            suggestion=self._function_suggestion(schema, name, argument_names, overloads),
        )

    def settings_of(self, role: str) -> tuple[tuple[str, str], ...]:
        """`(name, value)` pairs of `ALTER ROLE role SET ...` that a non-superuser may apply."""
        return self.role_settings.get(role, ())

    def _function_suggestion(
        self, schema: str, name: str, argument_names: frozenset[str], overloads: Iterable[Function]
    ) -> str | None:
        """PostgREST's hint: same name -> the closest parameter list; else the closest function name."""
        overloads = list(overloads)
        if overloads:
            parameter_lists = {", ".join(sorted(function.parameter_names)): function for function in overloads}
            closest = _closest(", ".join(sorted(argument_names)), parameter_lists)
            return f"{name}({closest})" if closest is not None else None
        known = [known_name for known_schema, known_name in self.functions if known_schema == schema]
        return _closest(name, known)


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to `name`, if any is similar enough."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None
