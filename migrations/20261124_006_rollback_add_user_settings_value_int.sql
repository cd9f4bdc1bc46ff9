-- Rollback: 20261124_006_rollback_add_user_settings_value_int.sql

BEGIN;

ALTER TABLE user_settings DROP COLUMN IF EXISTS setting_value_int;

DELETE FROM schema_migrations WHERE version = '20261124_006';

COMMIT;
