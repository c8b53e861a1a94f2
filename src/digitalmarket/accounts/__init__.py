"""Organisations, users, log-in, tokens, roles and permission rules."""
