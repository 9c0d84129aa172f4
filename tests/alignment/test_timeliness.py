"""Data timeliness counts the periods a measure owed since it was created, reported or not."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from alignment.selectors import alignment_report
from scorecards import services
from scorecards.models import Measure
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def test_a_measure_never_reported_still_owes_its_periods():
    ent = f.EnterpriseFactory()
    unit = f.OrgUnitFactory(code="U1", parent=ent)
    silent = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="SILENT")
    # created in September 2026: September (due Oct 10) and October (due Nov 10) are due
    # by Nov 27, both within FY2026; it never reported -> 0 of 2 on time
    created = timezone.make_aware(dt.datetime(2026, 9, 15, 9, 0))
    Measure.objects.filter(pk=silent.pk).update(created_at=created)
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert (report.counts.periods_due, report.counts.periods_timely) == (2, 0)
    assert report.metrics.data_timeliness == 0
    # reporting September on time (the history says when) makes it 1 of 2 = 50 %
    services.measure_value_record(
        measure=silent, period=dt.date(2026, 9, 1), actual=Decimal(1), target=Decimal(1), actor=None
    )
    on_time = timezone.make_aware(dt.datetime(2026, 10, 5, 9, 0))
    silent.values.get().history.update(history_date=on_time)
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.data_timeliness == 50
