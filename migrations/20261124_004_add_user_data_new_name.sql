-- Migration: 20261124_004_add_user_data_new_name.sql
-- Description: Rename user_data.old_name to new_name, phase 1: add new_name, keep both in sync, backfill
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand
-- Requires: 20261124_001

BEGIN;

ALTER TABLE user_data
ADD COLUMN new_name TEXT;

-- While the application moves to new_name, writes to either column reach both.
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

UPDATE user_data
SET new_name = old_name
WHERE new_name IS NULL;

-- Post-migration validation
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM user_data WHERE new_name IS DISTINCT FROM old_name) THEN
        RAISE EXCEPTION 'Migration validation failed: new_name differs from old_name';
    END IF;
END
$$;

COMMIT;
