"""Contracting: catalog contracts with PPS, quote requests and quotes, orders (use contracts)."""
