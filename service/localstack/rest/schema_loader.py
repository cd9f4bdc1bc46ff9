"""Reading the schema cache from the catalog (as `authenticator`; the catalog ignores grants, as PostgREST's does)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import psycopg

from service.localstack.rest.schema_cache import Function, Parameter, Relation, SchemaCache, Volatility

RELATIONS_SQL = """
select n.nspname, c.relname, c.relkind::text
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v', 'm', 'f', 'p')
  and n.nspname = any(%(schemas)s)
"""

# Input parameters come from proallargtypes/proargmodes when a function has
# OUT/TABLE columns, else from proargtypes; names are '' when unnamed.
FUNCTIONS_SQL = """
select
    n.nspname,
    p.proname,
    p.pronargdefaults,
    p.provolatile::text,
    p.proretset,
    p.prorettype = 'pg_catalog.void'::pg_catalog.regtype,
    (rt.typtype = 'c' or p.prorettype = 'pg_catalog.record'::pg_catalog.regtype),
    coalesce(args.names, '{}'),
    coalesce(args.type_schemas, '{}'),
    coalesce(args.type_names, '{}')
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type rt on rt.oid = p.prorettype
left join lateral (
    select
        array_agg(coalesce(a.name, '') order by a.position) as names,
        array_agg(tn.nspname::text order by a.position) as type_schemas,
        array_agg(t.typname::text order by a.position) as type_names
    from unnest(
        coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[]),
        p.proargmodes::text[],
        p.proargnames
    ) with ordinality as a(type_oid, mode, name, position)
    join pg_catalog.pg_type t on t.oid = a.type_oid
    join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
    where coalesce(a.mode, 'i') in ('i', 'b', 'v')
) args on true
where p.prokind = 'f'
  and n.nspname = any(%(schemas)s)
"""

# Database-specific settings override cluster-wide ones (setdatabase 0); only
# settings a non-superuser may change can go through set_config.
ROLE_SETTINGS_SQL = """
select r.rolname, split_part(role_setting, '=', 1), substr(role_setting, strpos(role_setting, '=') + 1)
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
cross join lateral unnest(s.setconfig) as role_setting
where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
  and exists (
      select 1 from pg_catalog.pg_settings ps
      where ps.name = split_part(role_setting, '=', 1) and ps.context = 'user'
  )
order by r.rolname, s.setdatabase
"""


async def load_schema_cache(connection: psycopg.AsyncConnection[Any], schemas: Sequence[str]) -> SchemaCache:
    """The relations and functions of `schemas` and every role's settings, read in one transaction."""
    parameters = {"schemas": list(schemas)}
    async with connection.transaction():
        relation_rows = await (await connection.execute(RELATIONS_SQL, parameters)).fetchall()
        function_rows = await (await connection.execute(FUNCTIONS_SQL, parameters)).fetchall()
        setting_rows = await (await connection.execute(ROLE_SETTINGS_SQL)).fetchall()
    relations = {(schema, name): Relation(schema, name, kind) for schema, name, kind in relation_rows}
    functions: defaultdict[tuple[str, str], list[Function]] = defaultdict(list)
    for row in function_rows:
        function = _function_from_row(row)
        functions[(function.schema, function.name)].append(function)
    role_settings: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for role, name, value in setting_rows:
        role_settings[role][name] = value  # later rows (this database) win
    return SchemaCache(
        relations=relations,
        functions={key: tuple(overloads) for key, overloads in functions.items()},
        role_settings={role: tuple(settings.items()) for role, settings in role_settings.items()},
    )


def _function_from_row(row: Sequence[Any]) -> Function:
    (
        schema,
        name,
        defaults_count,
        volatility,
        returns_set,
        returns_void,
        returns_composite,
        names,
        type_schemas,
        type_names,
    ) = row
    return Function(
        schema=schema,
        name=name,
        parameters=tuple(Parameter(*parameter) for parameter in zip(names, type_schemas, type_names, strict=True)),
        defaults_count=defaults_count,
        volatility=Volatility(volatility),
        returns_set=returns_set,
        returns_void=returns_void,
        returns_composite=returns_composite,
    )
