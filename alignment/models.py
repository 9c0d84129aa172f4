"""Alignment analytics keeps no models yet: its numbers are computed from the other apps."""
