-- Migration: 20261124_008_require_user_data_email.sql
-- Description: Make user_data.email NOT NULL, phase 1: clean existing NULLs and refuse new ones (NOT VALID check)
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand
-- Requires: 20261124_001

BEGIN;

-- Clean existing data
UPDATE user_data
SET email = 'unknown@example.com'
WHERE email IS NULL;

-- New rows must have an email from now on; existing rows are checked in 20261124_009
-- without holding ACCESS EXCLUSIVE during the scan.
ALTER TABLE user_data
ADD CONSTRAINT user_data_email_not_null CHECK (email IS NOT NULL) NOT VALID;

-- Post-migration validation
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM user_data WHERE email IS NULL) THEN
        RAISE EXCEPTION 'Migration validation failed: user_data.email still has NULLs';
    END IF;
END
$$;

COMMIT;
