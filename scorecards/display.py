"""How a unit is named for people, in one form everywhere: by its name ("Meridian Group",
`OrgUnit.__str__`). Its code ("MERIDIAN") is an identifier: in addresses, in qualified codes
(IND.REV) and in the unit columns of tables, never instead of the name in a heading, a
breadcrumb, a list to choose from, an e-mail or a chart's title.

A list of units to choose from shows them in tree order, each name indented by its depth,
and the unit the page shows is the one selected: there is no "Default" choice standing for
the enterprise, or for the unit a head heads.

A period is written for people in the reader's language: a month by Django's date format
letters in the pattern the language gives ("Oct 2026", "oct. 2026", "Okt. 2026"), a quarter
and a fiscal year as the language names them ("2026-Q1", "T1 2026"; "FY2026", "GJ 2026").
What a field reads back is `periods.period_text`'s.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.tree import walk

from .choices import Frequency
from .models import OrgUnit
from .periods import fiscal_quarter, fiscal_year_of


def month_text(day: dt.date | None) -> str:
    """A period's month: "Oct 2026" ("" for none)."""
    if day is None:
        return ""
    return date_format(day, pgettext("a period's month (Django date format)", "M Y"))


def day_month_text(day: dt.date | None) -> str:
    """A day of this year or the next, without the year: "3 Nov" ("" for none)."""
    if day is None:
        return ""
    return date_format(day, pgettext("a due day without the year (Django date format)", "j M"))


def period_label(period: dt.date, frequency: str, fiscal_start_month: int) -> str:
    """A period of a measure of `frequency` as messages write it: "Oct 2026", "2026-Q1",
    "FY2026"."""
    if frequency == Frequency.MONTHLY:
        return month_text(period)
    year = fiscal_year_of(period, fiscal_start_month)
    if frequency == Frequency.QUARTERLY:
        return _("%(year)s-Q%(quarter)s") % {
            "year": year,
            "quarter": fiscal_quarter(period, fiscal_start_month),
        }
    return _("FY%(year)s") % {"year": year}


INDENT = "\u00a0\u00a0"  # two no-break spaces per level: browsers keep them in a <select>


def unit_option(unit: OrgUnit, depth: int = 0) -> str:
    """A unit as a choice in a list in tree order: its name, indented by its depth."""
    return INDENT * depth + str(unit)


def unit_choices(units: list[tuple[OrgUnit, int]], *, value: str = "pk", empty=None) -> list:
    """The choices of a select of units, `units` in tree order with their depths (as from
    `scorecards.selectors.unit_tree`); each unit's `value` attribute (pk or code) is the
    value sent. `empty`: the label of a first, empty choice (one that means something
    else than a unit, such as "All units"), or None for none."""
    choices = [("", empty)] if empty is not None else []
    return choices + [(getattr(u, value), unit_option(u, depth)) for u, depth in units]


def show_unit(form, unit: OrgUnit, field: str = "unit") -> None:
    """Make a filter form's unit select show `unit`, the unit the page shows (the default
    one when the query named none)."""
    if form.is_bound:
        data = form.data.copy()
        data[field] = unit.code
        form.data = data
    else:
        form.initial[field] = unit.code


class _UnitTreeIterator(ModelChoiceIterator):
    """The field's units in tree order (one query), each name indented by its depth."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        units = walk(
            self.queryset, key=lambda u: u.pk, parent=lambda u: u.parent_id, order=lambda u: u.code
        )
        for unit, depth in units:
            value = ModelChoiceIteratorValue(self.field.prepare_value(unit), unit)
            yield (value, unit_option(unit, depth))


class UnitChoiceField(forms.ModelChoiceField):
    """A unit to choose among the field's queryset, listed in tree order by name."""

    iterator = _UnitTreeIterator
