"""Reads of the communication app, one module per concern: analyses and comments
(`commentary`), announcements, pulses, practices and search."""

from .commentary import analysed_objectives, analyses_of, analysis_of, thread

__all__ = ["analysed_objectives", "analyses_of", "analysis_of", "thread"]
