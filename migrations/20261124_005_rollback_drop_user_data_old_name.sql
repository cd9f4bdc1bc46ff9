-- Rollback: 20261124_005_rollback_drop_user_data_old_name.sql

BEGIN;

ALTER TABLE user_data ADD COLUMN old_name TEXT;
UPDATE user_data SET old_name = new_name WHERE old_name IS NULL;

CREATE FUNCTION user_data_sync_name() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public
    AS $$
BEGIN
    IF NEW.new_name IS NULL THEN
        NEW.new_name := NEW.old_name;
    ELSIF NEW.old_name IS NULL OR NEW.old_name IS DISTINCT FROM NEW.new_name THEN
        NEW.old_name := NEW.new_name;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER user_data_sync_name
    BEFORE INSERT OR UPDATE ON user_data
    FOR EACH ROW EXECUTE FUNCTION user_data_sync_name();

DELETE FROM schema_migrations WHERE version = '20261124_005';

COMMIT;
