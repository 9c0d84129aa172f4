"""Reads of accounts that pages, the API and exports share, one module per feature: the
security audit log (audit.py), each person's sessions (sessions.py) and user management
(users.py)."""
