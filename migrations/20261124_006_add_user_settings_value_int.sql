-- Migration: 20261124_006_add_user_settings_value_int.sql
-- Description: Change user_settings.setting_value to integer, phase 1: add setting_value_int and backfill
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand
-- Requires: 20261124_001

BEGIN;

ALTER TABLE user_settings
ADD COLUMN setting_value_int INTEGER;

UPDATE user_settings
SET setting_value_int = setting_value::INTEGER
WHERE setting_value ~ '^[0-9]+$';

-- Post-migration validation
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM user_settings
               WHERE setting_value ~ '^[0-9]+$' AND setting_value_int IS DISTINCT FROM setting_value::INTEGER) THEN
        RAISE EXCEPTION 'Migration validation failed: setting_value_int does not match setting_value';
    END IF;
END
$$;

COMMIT;
