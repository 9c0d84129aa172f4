"""docs/api.md: every shell block runs, in order, against a live server, as written."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from core.roles import HR, MEASURE_OWNER, OSM_STAFF
from tests import factories as f

DOC = Path(settings.BASE_DIR) / "docs/api.md"


def shell_blocks() -> str:
    return "\n".join(re.findall(r"```sh\n(.*?)```", DOC.read_text(), flags=re.S))


@pytest.fixture
def demo_like(transactional_db):
    """The corner of the demo company the guide uses: IND's REV and COGS, owned by `owner`;
    `hr`, `osm` (OSM staff), and three people in IND, two of them in sales."""
    cache.clear()
    owner = f.UserFactory(username="owner", password="demo-password", roles=[MEASURE_OWNER])
    f.UserFactory(username="hr", password="demo-password", roles=[HR])
    f.UserFactory(username="osm", password="demo-password", roles=[OSM_STAFF])
    unit = f.OrgUnitFactory(code="IND", parent=f.EnterpriseFactory(code="MERIDIAN"))
    objective = f.ObjectiveFactory(unit=unit)
    for code in ("REV", "COGS"):
        f.MeasureFactory(objective=objective, code=code, owner=owner)
    for family in ("Sales", "Sales", "Operations"):
        f.EmployeeFactory(unit=unit, job_family=family)
    yield
    cache.clear()


def test_the_guide_runs_as_written(live_server, demo_like, tmp_path):
    script = "set -euo pipefail\n" + shell_blocks()
    result = subprocess.run(
        ["bash", "-c", script],
        # The venv's bin first, as in an activated virtualenv: openapi-python-client, and a
        # python3 with httpx and attrs for the generated client ("Generated clients").
        env={"OSM": live_server.url, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert '{"created":2,"updated":0,"unchanged":0}' in out
    assert '{"errors":[{"row":2,"field":"actual","message":"\'lots\' is not a number."}]}' in out
    assert '{"created":1,"updated":0,"unchanged":0}' in out  # the semicolon file's November
    assert '{"created":0,"updated":1,"unchanged":0}' in out  # the JSON upsert of REV's target
    assert "2026-10" in out  # the scorecard's month
    assert "2 ['announcement', 'practice']" in out  # the search across what was just written
    assert "IND 2026-10 green " in out  # the generated client's scorecard
    assert '{"matched":3,"created":3,"skipped":0}' in out  # the goal template, applied
    assert '{"matched":2,"created":0,"skipped":2}' in out  # again, to IND's sales people
    assert '"month":"2026-10-01","status":"closed"' in out  # the month closed
    assert "Oct 2026 is closed: the Oct 2026 value of REV can no longer be changed." in out
    assert '"state":"returned"' in out and '"state":"approved"' in out  # approving values
    assert '"text":"IND.COGS for Nov 2026 was approved."' in out  # the owner's inbox
    assert '{"kind":"value_returned","channel":"email"}' in out
    assert '"analysis":"Two large tenders lost on price."' in out
    assert '"body":"@osm is the discount review on the next agenda?"' in out
    assert '{"month":"2026-11-01","units":[' in out  # the close checklist
    assert '{"marked":3}' in out  # approved, returned, and October's closing
    assert '"status":"open"' in out and "A late invoice for October" in out  # reopened
    assert '{"job_family":["No employee has the job family “Astronauts”."]}' in out
