-- Migration: 20261124_002_add_priority_to_modules.sql
-- Description: Add priority to user_enabled_modules
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand
-- Requires: 20261124_001
-- Lint-ignore: L101 -- this file must also apply over the exec_sql RPC, where CONCURRENTLY cannot run; the build scans user_enabled_modules (one row per user and module) under a short SHARE lock, taken within the runner's 5s lock_timeout

BEGIN;

-- A constant default is a catalog-only change on PostgreSQL 11+: no table rewrite.
ALTER TABLE user_enabled_modules
ADD COLUMN priority INTEGER DEFAULT 0 NOT NULL;

CREATE INDEX idx_user_enabled_modules_priority
ON user_enabled_modules(priority)
WHERE priority > 0;

-- Post-migration validation
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'user_enabled_modules' AND column_name = 'priority') THEN
        RAISE EXCEPTION 'Migration validation failed: user_enabled_modules.priority is missing';
    END IF;
END
$$;

COMMIT;
