-- The guide's "Changing Column Types" dangerous form
ALTER TABLE user_settings
ALTER COLUMN setting_value TYPE INTEGER USING setting_value::INTEGER;
