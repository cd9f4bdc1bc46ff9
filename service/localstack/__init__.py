"""The embedded local stack: a Supabase-like PostgreSQL and a PostgREST-compatible endpoint.

For development (`omnia-migrate dev`) and tests; production talks to real Supabase.
"""
