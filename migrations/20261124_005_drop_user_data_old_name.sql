-- Migration: 20261124_005_drop_user_data_old_name.sql
-- Description: Rename user_data.old_name to new_name, phase 2: drop old_name once the application uses new_name
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: contract
-- Requires: 20261124_004

BEGIN;

-- Pre-migration validation
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM user_data WHERE new_name IS DISTINCT FROM old_name) THEN
        RAISE EXCEPTION 'new_name is not fully backfilled'
            USING HINT = 'run the backfill of 20261124_004 again before dropping old_name';
    END IF;
END
$$;

DROP TRIGGER user_data_sync_name ON user_data;
DROP FUNCTION user_data_sync_name();

ALTER TABLE user_data
DROP COLUMN old_name;

COMMIT;
