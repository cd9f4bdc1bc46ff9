-- Migration: 20261124_007_swap_user_settings_value.sql
-- Description: Change user_settings.setting_value to integer, phase 2: drop the text column and rename the new one
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: contract
-- Requires: 20261124_006

BEGIN;

-- Pre-migration validation: no numeric value may be lost
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM user_settings
               WHERE setting_value ~ '^[0-9]+$' AND setting_value_int IS NULL) THEN
        RAISE EXCEPTION 'setting_value_int is not fully backfilled'
            USING HINT = 'run the backfill of 20261124_006 again';
    END IF;
END
$$;

ALTER TABLE user_settings
DROP COLUMN setting_value;

ALTER TABLE user_settings
RENAME COLUMN setting_value_int TO setting_value;

COMMIT;
