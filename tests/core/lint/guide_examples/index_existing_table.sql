-- The guide's "Adding Columns" index, on a table that already exists
CREATE INDEX idx_user_enabled_modules_priority
ON user_enabled_modules(priority)
WHERE priority > 0;
