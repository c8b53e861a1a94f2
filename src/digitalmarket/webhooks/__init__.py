"""Webhooks: the change feed pushed to an organisation's own server (a read model of the feed)."""
