-- Rollback: 20261124_003_rollback_create_new_feature_data.sql

BEGIN;

DROP TABLE IF EXISTS new_feature_data;

DELETE FROM schema_migrations WHERE version = '20261124_003';

COMMIT;
