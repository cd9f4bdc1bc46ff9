"""Omnia migration service: safe, watched schema migrations for Supabase and PostgreSQL."""
