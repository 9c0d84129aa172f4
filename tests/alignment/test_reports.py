"""The weekly alignment report by email: recipients, figures, CSV, once a week."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from alignment import tasks
from alignment.reports import alignment_reports_compose
from core.models import OutgoingMessage
from core.roles import OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db
WEDNESDAY = dt.date(2026, 11, 11)
MONDAY = dt.date(2026, 11, 9)


@pytest.fixture
def world(settings):
    settings.SITE_URL = "https://osm.example"
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(email="head@example.com", first_name="Hal")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    f.UserFactory(email="staff@example.com", roles=[OSM_STAFF])
    f.UserFactory(email="", roles=[OSM_STAFF])  # no address: no report
    grow = f.ObjectiveFactory(unit=ent, code="GROW")
    f.ObjectiveFactory(unit=bu, code="SELL", supports=[grow])
    f.ObjectiveFactory(unit=bu, code="LONE")  # supports nothing above
    return {"ent": ent, "bu": bu, "head": head}


def test_staff_get_the_enterprise_and_heads_their_unit(world):
    assert alignment_reports_compose(day=WEDNESDAY) == 2
    rows = sorted(OutgoingMessage.objects.values_list("recipient", "subject_key", "period"))
    assert rows == [
        ("head@example.com", f"unit:{world['bu'].pk}", MONDAY),
        ("staff@example.com", f"unit:{world['ent'].pk}", MONDAY),
    ]
    report = OutgoingMessage.objects.get(recipient="head@example.com")
    # Retail's objective linkage: SELL supports GROW, LONE nothing: 1 of 2 = 50.00%.
    assert "Objective linkage: 50.00%" in report.body
    assert "https://osm.example/alignment/?unit=BU&fiscal_year=2026" in report.body
    assert "<table" in report.html and "50.00%" in report.html
    (attachment,) = report.attachments
    assert attachment["name"] == "alignment-BU-FY2026-2026-11-11.csv"
    rows = list(csv.reader(io.StringIO(attachment["content"])))
    assert rows[0] == ["list", "unit", "item", "detail"]
    assert any(r[0] == "Objectives linked to nothing above" and "LONE" in r[2] for r in rows)


def test_once_a_week(world):
    assert alignment_reports_compose(day=WEDNESDAY) == 2
    assert alignment_reports_compose(day=dt.date(2026, 11, 13)) == 0  # Friday, same week
    assert alignment_reports_compose(day=dt.date(2026, 11, 16)) == 2  # the next Monday


def test_the_command_and_the_task(world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("send_alignment_reports", "--date", "2026-11-11", stdout=out)
    assert "2 new" in out.getvalue() and "Sent 2; 0 failed." in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == ["head@example.com", "staff@example.com"]
    assert mail.outbox[0].attachments[0][2] == "text/csv"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_alignment_reports.delay("2026-11-12").get() == 0  # same week
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match="--date"):
        call_command("send_alignment_reports", "--date", "next week")


def test_no_enterprise_no_report():
    assert alignment_reports_compose(day=WEDNESDAY) == 0


def test_the_snapshot_task(world):
    assert tasks.take_alignment_snapshot.delay("2026-11-11").get() == 2  # ACME and BU
