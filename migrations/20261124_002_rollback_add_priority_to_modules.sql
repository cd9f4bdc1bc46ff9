-- Rollback: 20261124_002_rollback_add_priority_to_modules.sql

BEGIN;

DROP INDEX IF EXISTS idx_user_enabled_modules_priority;
ALTER TABLE user_enabled_modules DROP COLUMN IF EXISTS priority;

DELETE FROM schema_migrations WHERE version = '20261124_002';

COMMIT;
