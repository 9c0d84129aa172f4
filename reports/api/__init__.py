"""API v1 of the reports app (API.md "Files"): the file formats of the computed reads, the
unit report and briefing book, measure histories, the scorecard workbook import and the
report subscriptions."""

ROUTES: list = []
PATHS: list = []
