-- Migration: 20261124_003_create_new_feature_data.sql
-- Description: Add the new_feature_data table with its RLS policy and index
-- Author: Omnia
-- Date: 2026-11-24
-- Phase: expand

BEGIN;

CREATE TABLE new_feature_data (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE,
    feature_config JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

ALTER TABLE new_feature_data ENABLE ROW LEVEL SECURITY;

CREATE POLICY "user_feature_isolation" ON new_feature_data
    FOR ALL USING ((SELECT auth.uid()) = user_id);

CREATE INDEX idx_new_feature_data_user_id
ON new_feature_data(user_id)
WHERE user_id IS NOT NULL;

-- Post-migration validation
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE tablename = 'new_feature_data'
                   AND policyname = 'user_feature_isolation') THEN
        RAISE EXCEPTION 'Migration validation failed: new_feature_data has no isolation policy';
    END IF;
END
$$;

COMMIT;
