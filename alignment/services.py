"""Writes of the alignment app: taking snapshots of the metrics."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.clock import current_fiscal_year
from core.formatting import to_decimal
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit

from .metrics import METRICS
from .models import AlignmentSnapshot
from .selectors import alignment_report

# The figures a snapshot stores: the metrics it has a column for (strategy awareness, from
# the pulses, has none: each pulse keeps its own results) and the index.
SNAPSHOT_FIGURES = tuple(
    name
    for name in (*METRICS, "alignment_index")
    if name in {f.name for f in AlignmentSnapshot._meta.get_fields()}
)


@transaction.atomic
def alignment_snapshot_take(
    *, fiscal_year: int | None = None, today: dt.date | None = None, unit: OrgUnit | None = None
) -> list[AlignmentSnapshot]:
    """Record the metrics of every unit's subtree (below `unit`, default the enterprise)
    for a fiscal year, as of today. Once a day: a second run the same day replaces that
    day's rows instead of adding to them."""
    today = today or timezone.localdate()
    top = unit or enterprise_unit()
    if top is None:
        return []
    year = current_fiscal_year(today) if fiscal_year is None else fiscal_year
    report = alignment_report(top, fiscal_year=year, today=today)
    saved = []
    for row in report.units:
        figures = row.metrics.as_dict()
        values = {name: to_decimal(figures[name]) for name in SNAPSHOT_FIGURES}
        snapshot, _ = AlignmentSnapshot.objects.update_or_create(
            unit_id=row.id, fiscal_year=year, taken_on=today, defaults=values
        )
        saved.append(snapshot)
    return saved
