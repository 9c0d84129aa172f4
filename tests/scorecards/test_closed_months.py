"""Closed months (issue 15, DESIGN.md "Reporting cycle"): OSM staff close a month once it is
over and reopen it with a reason; a value is locked while the month in which its period ends
is closed, and every door refuses to write into it with a message naming the month, leaving
what is stored as it was: the value form, Clear, the CSV upload, the API (create, change,
delete), the bulk endpoint (the whole batch) and the admin.

Today is 27 November 2026; the fiscal year starts in January (the test settings)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import OSM_STAFF, UNIT_HEAD
from scorecards import services
from scorecards.choices import Frequency, PeriodAction, PeriodStatus
from scorecards.models import MeasureValue, ReportingPeriod
from scorecards.periods import closing_month
from scorecards.selectors.reporting import close_checklist
from scorecards.value_inputs import BulkError, read_rows
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
CLOSED = "Mar 2026 is closed"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world():
    """REV (monthly) with January to April stored, 95 against 100; Q (quarterly) with its
    first quarter; Y (annual) with 2026. The head of the unit and an OSM staff member."""
    head = f.UserFactory(roles=[UNIT_HEAD])
    unit = f.OrgUnitFactory(code="BU", parent=f.EnterpriseFactory(code="ACME"), head=head)
    objective = f.ObjectiveFactory(unit=unit)
    rev = f.MeasureFactory(objective=objective, code="REV")
    for month in (JAN, FEB, MAR, APR):
        f.MeasureValueFactory(measure=rev, period=month)
    quarterly = f.MeasureFactory(objective=objective, code="Q", frequency=Frequency.QUARTERLY)
    f.MeasureValueFactory(measure=quarterly, period=JAN)
    annual = f.MeasureFactory(objective=objective, code="Y", frequency=Frequency.ANNUAL)
    f.MeasureValueFactory(measure=annual, period=JAN)
    staff = f.UserFactory(roles=[OSM_STAFF])
    return {"rev": rev, "q": quarterly, "y": annual, "head": head, "staff": staff}


def close(world, month=MAR):
    return services.month_close(actor=world["staff"], month=month)


def stored(measure, period=MAR):
    value = MeasureValue.objects.get(measure=measure, period=period)
    return (value.actual, value.target, value.red_flag, value.note)


AS_FACTORY_MADE = (D(95), D(100), D(90), "")
CSV_MARCH = "measure_code,period,actual\nBU.REV,2026-03,99\n"


# The month a period ends in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "frequency", "month"),
    [
        (MAR, Frequency.MONTHLY, MAR),  # a March value: March
        (JAN, Frequency.QUARTERLY, MAR),  # the first quarter (Jan-Mar): March
        (dt.date(2026, 4, 1), Frequency.QUARTERLY, dt.date(2026, 6, 1)),  # Apr-Jun: June
        (JAN, Frequency.ANNUAL, dt.date(2026, 12, 1)),  # fiscal 2026 from January: December
        (APR, Frequency.ANNUAL, dt.date(2027, 3, 1)),  # a fiscal year from April: March 2027
    ],
)
def test_the_month_a_period_ends_in(start, frequency, month):
    assert closing_month(start, frequency) == month


# Closing and reopening -----------------------------------------------------------------------


def test_closing_and_reopening_are_recorded_with_who_when_and_why(world):
    staff = world["staff"]
    period = close(world)
    assert (period.month, period.status, period.closed_by) == (MAR, PeriodStatus.CLOSED, staff)
    assert period.closed_at is not None
    services.month_reopen(actor=staff, month=MAR, reason="  A late invoice for March.  ")
    close(world)
    period.refresh_from_db()
    events = [(e.action, e.by, e.reason) for e in period.events.all()]
    assert events == [
        (PeriodAction.CLOSE, staff, ""),
        (PeriodAction.REOPEN, staff, "A late invoice for March."),
        (PeriodAction.CLOSE, staff, ""),
    ]
    assert period.status == PeriodStatus.CLOSED


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (dt.date(2026, 11, 1), "Nov 2026 is not over yet"),  # this month
        (dt.date(2027, 1, 1), "Jan 2027 is not over yet"),
        (dt.date(2026, 3, 15), "Name a month by its first day."),
    ],
)
def test_a_month_not_over_or_not_a_month_is_not_closed(world, month, message):
    with pytest.raises(ValidationError) as refused:
        close(world, month)
    assert message in str(refused.value.message_dict["month"])
    assert not ReportingPeriod.objects.exists()


def test_closing_twice_and_reopening_an_open_month_or_without_a_reason_are_refused(world):
    staff = world["staff"]
    with pytest.raises(ValidationError, match=r"Mar 2026 is not closed\."):
        services.month_reopen(actor=staff, month=MAR, reason="Why not")
    close(world)
    with pytest.raises(ValidationError, match=r"Mar 2026 is already closed\."):
        close(world)
    with pytest.raises(ValidationError, match=r"Say why the month is reopened\."):
        services.month_reopen(actor=staff, month=MAR, reason="   ")
    assert ReportingPeriod.objects.get().events.count() == 1


# Every door refuses a locked value ------------------------------------------------------------


def test_the_services_refuse_every_write_into_a_closed_month(world):
    rev, staff = world["rev"], world["staff"]
    close(world)
    march = MeasureValue.objects.get(measure=rev, period=MAR)
    writes = [
        lambda: services.measure_value_enter(actor=staff, measure=rev, period=MAR,
                                             data={"actual": D(99)}),
        lambda: services.measure_value_enter(actor=staff, measure=rev, period=MAR,
                                             data={"note": "Late note"}),
        lambda: services.measure_value_update(actor=staff, instance=march,
                                              data={"target": D(110)}),
        lambda: services.measure_value_clear(actor=staff, instance=march, fields=["actual"]),
        lambda: services.measure_value_delete(actor=staff, instance=march),
        lambda: services.measure_value_record(measure=rev, period=MAR, actual=D(1), actor=None),
    ]  # fmt: skip
    for write in writes:
        with pytest.raises(ValidationError) as refused:
            write()
        assert CLOSED in str(refused.value.message_dict["period"])
    assert stored(rev) == AS_FACTORY_MADE
    # the months around it stay open; saving March as stored writes nothing and is no error
    services.measure_value_enter(actor=staff, measure=rev, period=APR, data={"actual": D(99)})
    services.measure_value_enter(actor=staff, measure=rev, period=MAR, data={"actual": D(95)})
    assert stored(rev, APR)[0] == D(99)


def test_a_quarter_locks_when_its_last_month_closes_and_a_year_when_its_last_does(world):
    staff = world["staff"]
    close(world, FEB)
    services.measure_value_enter(actor=staff, measure=world["q"], period=JAN,
                                 data={"actual": D(96)})  # fmt: skip
    close(world, MAR)
    with pytest.raises(ValidationError, match=CLOSED):
        services.measure_value_enter(actor=staff, measure=world["q"], period=JAN,
                                     data={"actual": D(97)})  # fmt: skip
    assert stored(world["q"], JAN)[0] == D(96)
    # fiscal 2026 ends in December, not over on 27 November: the annual value stays open
    services.measure_value_enter(actor=staff, measure=world["y"], period=JAN,
                                 data={"actual": D(97)})  # fmt: skip
    assert stored(world["y"], JAN)[0] == D(97)


def test_the_year_s_targets_are_refused_whole_when_one_period_is_locked(world):
    close(world)
    targets = {month: D(120) for month in (JAN, FEB, MAR, APR)}
    with pytest.raises(ValidationError) as refused:
        services.measure_targets_set(actor=world["staff"], measure=world["rev"],
                                     fiscal_year=2026, targets=targets)  # fmt: skip
    assert CLOSED in str(refused.value.message_dict["targets"])
    assert sorted(MeasureValue.objects.filter(measure=world["rev"]).values_list("target", flat=True)
                  ) == [D(100)] * 4  # fmt: skip


def test_a_bulk_batch_with_one_locked_row_writes_nothing(world):
    close(world)
    rows = read_rows([
        {"measure_code": "BU.REV", "period": "2026-04", "actual": "101"},
        {"measure_code": "BU.REV", "period": "2026-03", "actual": "102"},
    ])  # fmt: skip
    with pytest.raises(BulkError) as refused:
        services.measure_values_bulk_record(actor=world["staff"], rows=rows)
    assert [(e["row"], e["field"]) for e in refused.value.errors] == [(2, "period")]
    assert CLOSED in refused.value.errors[0]["message"]
    assert stored(world["rev"], APR) == AS_FACTORY_MADE
    # a March row as stored changes nothing there: the rest of the batch is written
    rows = read_rows([
        {"measure_code": "BU.REV", "period": "2026-04", "actual": "101"},
        {"measure_code": "BU.REV", "period": "2026-03", "actual": "95"},
    ])  # fmt: skip
    services.measure_values_bulk_record(actor=world["staff"], rows=rows)
    assert stored(world["rev"], APR)[0] == D(101)


def test_the_api_answers_400_naming_the_month_and_changes_nothing(world):
    close(world)
    client = client_for(world["head"])
    march = MeasureValue.objects.get(measure=world["rev"], period=MAR)
    answers = [
        client.patch(f"/api/v1/measure-values/{march.pk}/", {"actual": "99"}, format="json"),
        client.delete(f"/api/v1/measure-values/{march.pk}/"),
        client.post("/api/v1/measure-values/bulk/", CSV_MARCH, content_type="text/csv"),
    ]  # fmt: skip
    for answer in answers:
        assert answer.status_code == 400, answer.content
        assert CLOSED in answer.content.decode()
    march.delete()  # as if March had never been entered: creating it is refused too
    answer = client.post("/api/v1/measure-values/", {"measure": world["rev"].pk,
                         "period": "2026-03", "actual": "99"}, format="json")  # fmt: skip
    assert answer.status_code == 400 and CLOSED in str(answer.json()["period"])
    assert not MeasureValue.objects.filter(measure=world["rev"], period=MAR).exists()


def test_the_value_form_and_the_csv_upload_refuse_and_keep_the_stored_value(client, world):
    close(world)
    client.force_login(world["head"])
    page = client.post(f"/measures/{world['rev'].pk}/", {"period": "2026-03", "actual": "99"})
    assert page.status_code == 400
    assert CLOSED in " ".join(page.context["form"].errors["period"])
    csv = "measure_code,period,actual\nBU.REV,2026-03,99\n"
    upload = client.post("/measures/upload/", {"file": SimpleUploadedFile("v.csv", csv.encode())})
    assert CLOSED in upload.content.decode()
    client.post("/measures/upload/", {"csv_text": csv, "confirm": ""})
    assert stored(world["rev"]) == AS_FACTORY_MADE


def test_the_admin_shows_a_locked_value_read_only_and_never_deletes_it(client, world):
    close(world)
    admin = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    client.force_login(admin)
    march = MeasureValue.objects.get(measure=world["rev"], period=MAR)
    change = f"/admin/scorecards/measurevalue/{march.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200 and 'name="actual"' not in page.content.decode()
    assert client.post(change, {"actual": "99"}).status_code == 403
    assert client.post(f"/admin/scorecards/measurevalue/{march.pk}/delete/",
                       {"post": "yes"}).status_code == 403  # fmt: skip
    bulk_delete = client.post("/admin/scorecards/measurevalue/",
                              {"action": "delete_selected", "_selected_action": [march.pk],
                               "post": "yes"})  # fmt: skip
    assert bulk_delete.status_code in (200, 403)
    assert stored(world["rev"]) == AS_FACTORY_MADE


def test_after_reopening_the_value_can_be_corrected(world):
    close(world)
    services.month_reopen(actor=world["staff"], month=MAR, reason="Late invoice")
    services.measure_value_enter(actor=world["staff"], measure=world["rev"], period=MAR,
                                 data={"actual": D(99)})  # fmt: skip
    assert stored(world["rev"])[0] == D(99)


# The Reporting months page and the API -------------------------------------------------------


def test_the_months_page_shows_every_month_and_who_closed_it(client, world):
    close(world)
    services.month_reopen(actor=world["staff"], month=MAR, reason="A late invoice")
    close(world)
    employee = f.UserFactory(roles=[UNIT_HEAD])
    client.force_login(employee)
    html = client.get("/reporting/months/").content.decode()
    # November 2026 and the 18 months before it: back to May 2025
    assert 'id="month-2026-11"' in html and 'id="month-2025-05"' in html
    assert 'id="month-2025-04"' not in html
    assert "A late invoice" in html and "never closed" in html
    assert "/reporting/months/2026-10/close/" not in html  # only the OSM staff close
    client.force_login(world["staff"])
    html = client.get("/reporting/months/").content.decode()
    assert "/reporting/months/2026-10/close/" in html  # October is over
    assert "/reporting/months/2026-11/close/" not in html  # November is not
    assert "/reporting/months/2026-03/reopen/" in html


def test_closing_and_reopening_on_the_pages(client, world):
    client.force_login(world["staff"])
    page = client.get("/reporting/months/2026-03/close/")
    assert page.status_code == 200 and "Close March 2026" in page.content.decode()
    response = client.post("/reporting/months/2026-03/close/", follow=True)
    assert "Closed March 2026." in response.content.decode()
    assert ReportingPeriod.objects.get(month=MAR).status == PeriodStatus.CLOSED
    # closing it again, or November (not over), is refused on the page
    assert client.post("/reporting/months/2026-03/close/").status_code == 400
    assert client.post("/reporting/months/2026-11/close/").status_code == 400
    # a reason is required to reopen
    refused = client.post("/reporting/months/2026-03/reopen/", {"reason": "  "})
    assert refused.status_code == 400
    assert ReportingPeriod.objects.get(month=MAR).status == PeriodStatus.CLOSED
    client.post("/reporting/months/2026-03/reopen/", {"reason": "Late invoice"})
    assert ReportingPeriod.objects.get(month=MAR).status == PeriodStatus.OPEN
    assert client.get("/reporting/months/March/close/").status_code == 404


def test_only_the_osm_staff_close_or_reopen(client, world):
    client.force_login(world["head"])
    assert client.get("/reporting/months/2026-03/close/").status_code == 403
    assert client.post("/reporting/months/2026-03/close/").status_code == 403
    api = client_for(world["head"])
    answer = api.post("/api/v1/reporting-periods/close/", {"month": "2026-03"}, format="json")
    assert answer.status_code == 403
    assert not ReportingPeriod.objects.exists()


def test_the_api_closes_reopens_and_lists_the_months(world):
    api = client_for(world["staff"])
    answer = api.post("/api/v1/reporting-periods/close/", {"month": "2026-03"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["month"] == "2026-03-01" and answer.json()["status"] == "closed"
    assert [e["action"] for e in answer.json()["events"]] == ["close"]
    answer = api.post("/api/v1/reporting-periods/reopen/",
                      {"month": "2026-03", "reason": "Late invoice"}, format="json")  # fmt: skip
    assert answer.json()["status"] == "open"
    assert answer.json()["events"][1]["reason"] == "Late invoice"
    listed = client_for(world["head"]).get("/api/v1/reporting-periods/").json()
    assert [row["month"] for row in listed["results"]] == ["2026-03-01"]


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        ("close", {"month": "March"}, "month", "Write the month as 2026-03."),
        ("close", {}, "month", "required"),
        ("close", {"month": "2026-11"}, "month", "Nov 2026 is not over yet"),
        ("reopen", {"month": "2026-03", "reason": ""}, "reason", "blank"),
        ("reopen", {"month": "2026-02", "reason": "Why"}, "month", "Feb 2026 is not closed."),
    ],
)
def test_the_api_answers_bad_input_with_field_messages(world, path, body, field, words):
    close(world)
    answer = client_for(world["staff"]).post(f"/api/v1/reporting-periods/{path}/", body,
                                             format="json")  # fmt: skip
    assert answer.status_code == 400
    assert words in " ".join(answer.json()[field])


# The checklist before closing -----------------------------------------------------------------


def test_the_checklist_lists_the_values_still_missing_for_periods_ending_in_the_month(
    client, world
):
    # Owed for periods ending in March 2026 and missing: COST (monthly, entered since
    # January) has no March actual; QQ (quarterly, entered since Oct 2025) has no first
    # quarter. Not owed: NEW, created on 27 November without history; REV and Q are in;
    # Y's fiscal year ends in December; the calculated measure computes its own.
    objective = world["rev"].objective
    cost = f.MeasureFactory(objective=objective, code="COST")
    f.MeasureValueFactory(measure=cost, period=JAN)
    qq = f.MeasureFactory(objective=objective, code="QQ", frequency=Frequency.QUARTERLY)
    f.MeasureValueFactory(measure=qq, period=dt.date(2025, 10, 1))
    f.MeasureFactory(objective=objective, code="NEW")
    services.measure_create(actor=None, data={"objective": objective, "code": "CALC",
                                              "name": "Twice", "formula": "REV * 2"})  # fmt: skip
    (unit,) = close_checklist(MAR)
    assert unit.code == "BU"
    assert [(code, period) for _id, code, _name, period in unit.missing] == [
        ("COST", MAR),
        ("QQ", JAN),
    ]
    assert close_checklist(APR)[0].missing[0][1] == "COST"  # April: COST again (no April)
    client.force_login(world["staff"])
    html = client.get("/reporting/months/2026-03/close/").content.decode()
    assert "2 values are still missing for periods ending this month" in html
    assert f'href="/measures/{cost.pk}/?period=2026-03#value-form"' in html
