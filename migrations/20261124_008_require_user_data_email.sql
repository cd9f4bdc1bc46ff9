-- Migration: 20261124_008_require_user_data_email.sql
-- Description: Make user_data.email NOT NULL after cleaning existing NULLs
-- Author: Omnia
-- Date: 2026-11-24
-- Requires: 20261124_001

BEGIN;

-- Phase 1: clean existing data
UPDATE user_data
SET email = 'unknown@example.com'
WHERE email IS NULL;

-- Phase 2: add the constraint
ALTER TABLE user_data
ALTER COLUMN email SET NOT NULL;

-- Post-migration validation
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'user_data' AND column_name = 'email' AND is_nullable = 'YES') THEN
        RAISE EXCEPTION 'Migration validation failed: user_data.email is still nullable';
    END IF;
END
$$;

COMMIT;
