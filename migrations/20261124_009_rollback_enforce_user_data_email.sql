-- Rollback: 20261124_009_rollback_enforce_user_data_email.sql

BEGIN;

ALTER TABLE user_data ALTER COLUMN email DROP NOT NULL;
ALTER TABLE user_data ADD CONSTRAINT user_data_email_not_null CHECK (email IS NOT NULL) NOT VALID;

DELETE FROM schema_migrations WHERE version = '20261124_009';

COMMIT;
