"""What the management commands share: the `--date` option of the jobs one may run by hand
for a given day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from .clock import parse_day


def add_date_option(parser, help_text: str) -> None:
    """`--date YYYY-MM-DD` (default: today)."""
    parser.add_argument("--date", help=help_text)


def date_option(options) -> dt.date:
    """The `--date` given, else today; a CommandError (the command exits non-zero) saying
    what is wrong with a bad one."""
    try:
        return parse_day(options["date"]) if options["date"] else timezone.localdate()
    except ValueError as exc:
        raise CommandError(f"--date: {exc}") from None
