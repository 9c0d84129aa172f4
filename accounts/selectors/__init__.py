"""Reads of accounts that pages, the API and exports share, one module per feature: the
security audit log (audit.py)."""
