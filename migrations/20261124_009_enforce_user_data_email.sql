-- Migration: 20261124_009_enforce_user_data_email.sql
-- Description: Make user_data.email NOT NULL, phase 2: validate the check, then SET NOT NULL without a scan
-- Author: Omnia
-- Date: 2026-11-24
-- Requires: 20261124_008

BEGIN;

-- Scans the table under SHARE UPDATE EXCLUSIVE: reads and writes go on.
ALTER TABLE user_data
VALIDATE CONSTRAINT user_data_email_not_null;

-- PostgreSQL 12+ proves NOT NULL from the validated check: no second scan.
ALTER TABLE user_data
ALTER COLUMN email SET NOT NULL;

ALTER TABLE user_data
DROP CONSTRAINT user_data_email_not_null;

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
