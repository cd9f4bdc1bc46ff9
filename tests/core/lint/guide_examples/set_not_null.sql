-- The guide's "Adding NOT NULL Constraints" dangerous form
ALTER TABLE user_data
ALTER COLUMN email SET NOT NULL;
