-- Omnia migration service: what a Supabase project needs once.
-- Apply with `omnia-migrate install` (direct connection), paste the output of
-- `omnia-migrate install --print` into the SQL editor, or keep this file in a
-- Supabase CLI project's supabase/migrations/. Running it again changes nothing.
-- Lint-ignore: S508 -- EXECUTE is revoked from anon and authenticated in the DO block at the end, which the linter cannot read

-- The history table (DESIGN.md section 4). A seed-shaped three-column table
-- (version, description, applied_at) is upgraded in place, keeping its rows.
create table if not exists public.schema_migrations (
    version text primary key,
    description text,
    applied_at timestamptz default now()
);
alter table public.schema_migrations add column if not exists description text;
alter table public.schema_migrations add column if not exists applied_at timestamptz default now();
alter table public.schema_migrations add column if not exists checksum text;
alter table public.schema_migrations add column if not exists execution_ms integer;
alter table public.schema_migrations add column if not exists applied_by text;
alter table public.schema_migrations add column if not exists phase text;
do $upgrade$
begin
    -- varchar(n) -> text is binary-compatible: no rewrite, no lost rows.
    if exists (
        select 1 from information_schema.columns
        where table_schema = 'public' and table_name = 'schema_migrations'
          and column_name = 'version' and data_type <> 'text'
    ) then
        alter table public.schema_migrations alter column version type text;
    end if;
end
$upgrade$;
alter table public.schema_migrations enable row level security;

-- Run locks as expiring leases, for runners that reach the database over HTTP only.
create table if not exists public.omnia_locks (
    name text primary key,
    holder text not null,
    acquired_at timestamptz not null default now(),
    expires_at timestamptz not null
);
alter table public.omnia_locks enable row level security;

-- exec_sql(sql) exactly as the migration guide calls it: rpc('exec_sql', {sql}).
-- The caller's request transaction makes a multi-statement string atomic.
create or replace function public.exec_sql(sql text) returns void
    language plpgsql volatile security definer
    set search_path = public, extensions
    as $$
begin
    execute sql;
end
$$;

-- A query's rows as a JSON array, read-only (STABLE: writes are refused).
create or replace function public.omnia_query(sql text) returns jsonb
    language plpgsql stable security definer
    set search_path = public, extensions
    as $$
declare
    result jsonb;
begin
    execute format('select coalesce(jsonb_agg(to_jsonb(q)), ''[]''::jsonb) from (%s) as q', sql)
        into result;
    return result;
end
$$;

-- Take (or renew) the named lease for ttl_seconds; true when this holder has it.
-- A lease whose holder crashed expires and can then be taken by another holder.
create or replace function public.omnia_lock_acquire(lock_name text, holder text, ttl_seconds integer)
    returns boolean
    language plpgsql volatile security definer
    set search_path = public
    as $$
declare
    taken_by text;
begin
    insert into public.omnia_locks as l (name, holder, acquired_at, expires_at)
    values (lock_name, holder, now(), now() + make_interval(secs => ttl_seconds))
    on conflict (name) do update
        set holder = excluded.holder,
            acquired_at = case when l.holder = excluded.holder then l.acquired_at else now() end,
            expires_at = excluded.expires_at
        where l.holder = excluded.holder or l.expires_at < now()
    returning l.holder into taken_by;
    return taken_by is not null;
end
$$;

-- Give the named lease back; true when this holder had it.
create or replace function public.omnia_lock_release(lock_name text, holder text)
    returns boolean
    language plpgsql volatile security definer
    set search_path = public
    as $$
declare
    released integer;
begin
    delete from public.omnia_locks l where l.name = lock_name and l.holder = omnia_lock_release.holder;
    get diagnostics released = row_count;
    return released > 0;
end
$$;

-- Only the service role may touch them. Supabase's default privileges grant
-- every new public table and function to anon and authenticated, so revoke
-- from both. A plain PostgreSQL without Supabase's roles keeps owner-only access.
revoke all on table public.schema_migrations, public.omnia_locks from public;
revoke all on function public.exec_sql(text), public.omnia_query(text),
    public.omnia_lock_acquire(text, text, integer), public.omnia_lock_release(text, text) from public;
do $grants$
declare
    api_role text;
begin
    foreach api_role in array array['anon', 'authenticated'] loop
        if exists (select 1 from pg_roles where rolname = api_role) then
            execute format('revoke all on table public.schema_migrations, public.omnia_locks from %I', api_role);
            execute format('revoke all on function public.exec_sql(text), public.omnia_query(text), '
                'public.omnia_lock_acquire(text, text, integer), public.omnia_lock_release(text, text) from %I', api_role);
        end if;
    end loop;
    if exists (select 1 from pg_roles where rolname = 'service_role') then
        grant all on table public.schema_migrations, public.omnia_locks to service_role;
        grant execute on function public.exec_sql(text), public.omnia_query(text),
            public.omnia_lock_acquire(text, text, integer), public.omnia_lock_release(text, text) to service_role;
    end if;
end
$grants$;
