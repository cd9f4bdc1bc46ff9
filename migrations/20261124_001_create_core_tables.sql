-- Migration: 20261124_001_create_core_tables.sql
-- Description: Create Omnia's core tables with row level security
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand

BEGIN;

-- Pre-migration validation
DO $$
BEGIN
    IF to_regclass('auth.users') IS NULL THEN
        RAISE EXCEPTION 'auth.users does not exist'
            USING HINT = 'run against a Supabase project (or the embedded one)';
    END IF;
END
$$;

CREATE TABLE user_enabled_modules (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    module_id TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (user_id, module_id)
);

CREATE TABLE tracking_entries (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    module_id TEXT NOT NULL,
    entry_type TEXT NOT NULL,
    payload JSONB NOT NULL DEFAULT '{}',
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_tracking_entries_user_recorded ON tracking_entries (user_id, recorded_at DESC);

CREATE TABLE plugin_configs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    plugin_name TEXT NOT NULL,
    config JSONB NOT NULL DEFAULT '{}',
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (user_id, plugin_name)
);

CREATE TABLE user_data (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    old_name TEXT,
    email TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_user_data_user_id ON user_data (user_id);

CREATE TABLE user_settings (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
    setting_key TEXT NOT NULL,
    setting_value TEXT,
    UNIQUE (user_id, setting_key)
);

ALTER TABLE user_enabled_modules ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracking_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE plugin_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_data ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_settings ENABLE ROW LEVEL SECURITY;

CREATE POLICY "user_modules_isolation" ON user_enabled_modules
    FOR ALL USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "user_tracking_isolation" ON tracking_entries
    FOR ALL USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "user_plugin_isolation" ON plugin_configs
    FOR ALL USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "user_data_isolation" ON user_data
    FOR ALL USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "user_settings_isolation" ON user_settings
    FOR ALL USING ((SELECT auth.uid()) = user_id);

-- Post-migration validation
DO $$
BEGIN
    IF (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relrowsecurity
          AND c.relname IN ('user_enabled_modules', 'tracking_entries', 'plugin_configs', 'user_data', 'user_settings')) <> 5 THEN
        RAISE EXCEPTION 'Migration validation failed: RLS is not enabled on every core table';
    END IF;
END
$$;

COMMIT;
