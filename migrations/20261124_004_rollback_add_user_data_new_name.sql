-- Rollback: 20261124_004_rollback_add_user_data_new_name.sql

BEGIN;

DROP TRIGGER IF EXISTS user_data_sync_name ON user_data;
DROP FUNCTION IF EXISTS user_data_sync_name();
ALTER TABLE user_data DROP COLUMN IF EXISTS new_name;

DELETE FROM schema_migrations WHERE version = '20261124_004';

COMMIT;
