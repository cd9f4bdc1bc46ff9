-- Rollback: 20261124_007_rollback_swap_user_settings_value.sql

BEGIN;

ALTER TABLE user_settings RENAME COLUMN setting_value TO setting_value_int;
ALTER TABLE user_settings ADD COLUMN setting_value TEXT;
UPDATE user_settings SET setting_value = setting_value_int::TEXT WHERE setting_value_int IS NOT NULL;

DELETE FROM schema_migrations WHERE version = '20261124_007';

COMMIT;
