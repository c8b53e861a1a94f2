"""Shared foundations every stage builds on: settings, database, audit chain, errors, i18n."""
