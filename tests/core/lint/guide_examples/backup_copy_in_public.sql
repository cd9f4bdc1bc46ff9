-- The guide's "Pre-Migration Testing" backup copy, left in public
CREATE TABLE user_data_backup AS SELECT * FROM user_data;
