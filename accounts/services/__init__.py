"""Writes with rules in accounts: the audit log (audit.py) and what ends a user's access
(credentials.py). Each feature's own writes sit beside them (users.py, mfa.py...)."""
