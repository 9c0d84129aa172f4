"""`make bench`'s bulk upsert through the API (issue 5's case, kept true under issue 14's
door rules): the rows it uploads are accepted by every check of the bulk endpoint (range,
decimal places, a note on a red value, figures far from the history) and each of its two
bodies changes every row, so every timed request writes."""

import datetime as dt
from decimal import Decimal

import pytest

from core.roles import OSM_STAFF
from devtools.bench_http import HttpBench, upload_rows
from scorecards.models import MeasureValue
from scorecards.services import measure_value_record
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_bench_upload_passes_every_check_and_changes_every_row():
    # Monthly measure of one place, 0 to 200, target 100: actuals 96.5, 97.5 … 103.5 from
    # January to August, then 40.0 in September, red (below the red flag of 90).
    unit = f.OrgUnitFactory(code="BU", parent=f.EnterpriseFactory(code="ACME"))
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="REV",
                               decimal_places=1, min_value=0, max_value=200)  # fmt: skip
    actuals = [Decimal("96.5") + k for k in range(8)] + [Decimal("40.0")]
    for month, actual in enumerate(actuals, start=1):
        note = "A strike" if actual < 90 else ""
        measure_value_record(measure=measure, period=dt.date(2026, month, 1), actual=actual,
                             target=Decimal(100), note=note, actor=None)  # fmt: skip
    rows = upload_rows(limit=5)
    # the first actual has none before it; then February to June, each with the one before
    assert rows == [
        ["BU", "REV", "2026-02-01", "97.5", "96.5"],
        ["BU", "REV", "2026-03-01", "98.5", "97.5"],
        ["BU", "REV", "2026-04-01", "99.5", "98.5"],
        ["BU", "REV", "2026-05-01", "100.5", "99.5"],
        ["BU", "REV", "2026-06-01", "101.5", "100.5"],
    ]
    rows = upload_rows(limit=100)
    assert rows[-1] == ["BU", "REV", "2026-09-01", "40", "103.5"]
    bench = HttpBench("demo", "", {"repeat": 3, "only": ""}, None)
    *_, (name, method, path, bodies, content_type, repeat) = bench.cases({"root": 1, "rows": rows})
    assert name == "HTTP POST measure-values/bulk/ (8 rows)" and repeat == 3
    assert (method, path, content_type) == ("POST", "/api/v1/measure-values/bulk/", "text/csv")
    client = client_for(f.UserFactory(roles=[OSM_STAFF]))
    stored = lambda: [v.actual for v in MeasureValue.objects.order_by("period")]  # noqa: E731
    # the first body: each month's actual becomes the one before (August's 103.5 goes to
    # September, which keeps a note); the second puts them back
    response = client.post(path, bodies[0], content_type=content_type)
    assert response.status_code == 200, response.json()
    assert stored() == [actuals[0], *actuals[:-1]]
    response = client.post(path, bodies[1], content_type=content_type)
    assert response.status_code == 200, response.json()
    assert stored() == actuals
