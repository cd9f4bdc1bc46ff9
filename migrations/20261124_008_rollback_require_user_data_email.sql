-- Rollback: 20261124_008_rollback_require_user_data_email.sql

BEGIN;

ALTER TABLE user_data DROP CONSTRAINT IF EXISTS user_data_email_not_null;

DELETE FROM schema_migrations WHERE version = '20261124_008';

COMMIT;
