-- The guide's "Removing Columns" phase 2, run as one phase
ALTER TABLE user_enabled_modules
DROP COLUMN IF EXISTS old_column;
