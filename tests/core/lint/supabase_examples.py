"""SQL from the team's migration guide that the Supabase rules (S5xx) must accept as it is."""

from __future__ import annotations

# migration-guide.md, "4. Adding Tables (Safe)", verbatim.
GUIDE_NEW_TABLE = """\
CREATE TABLE new_feature_data (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID REFERENCES auth.users(id) ON DELETE CASCADE,
    feature_config JSONB DEFAULT '{}',
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
);

-- Add RLS policy
ALTER TABLE new_feature_data ENABLE ROW LEVEL SECURITY;

CREATE POLICY "user_feature_isolation" ON new_feature_data
    FOR ALL USING ((SELECT auth.uid()) = user_id);

-- Add indexes
CREATE INDEX idx_new_feature_data_user_id 
ON new_feature_data(user_id) 
WHERE user_id IS NOT NULL;
"""
