-- The guide's "Renaming Columns" phase 4, run without the earlier phases
ALTER TABLE user_data
DROP COLUMN old_name;
