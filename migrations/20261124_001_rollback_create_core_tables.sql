-- Rollback: 20261124_001_rollback_create_core_tables.sql

BEGIN;

DROP TABLE IF EXISTS user_settings;
DROP TABLE IF EXISTS user_data;
DROP TABLE IF EXISTS plugin_configs;
DROP TABLE IF EXISTS tracking_entries;
DROP TABLE IF EXISTS user_enabled_modules;

DELETE FROM schema_migrations WHERE version = '20261124_001';

COMMIT;
