"""Approval of updates (issue 15 item 2, DESIGN.md "Reporting cycle"): in a unit that requires
approval (its own setting, else inherited; the root's null is false) a measure owner's actual
and note are submitted, and every computed figure keeps reading the approved ones until a
unit head above or the OSM staff approve them; returned values carry a comment and are
submitted again by the owner's next write. Heads and staff write approved values at once.

The world: BU requires approval, its department DEP inherits it, its department FREE says
no. REV (BU, monthly, higher is better) has March stored as actual 95 against target 100 and
red flag 90: 95 is between the red flag and the target, so March is yellow. Today is
27 November 2026."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import scoring, services
from scorecards.choices import UnitKind, ValueState
from scorecards.models import MeasureValue
from scorecards.selectors.approval import approval_by_unit, awaiting_review
from scorecards.selectors.measure import measure_detail
from scorecards.selectors.updates import owed_values
from scorecards.value_inputs import BulkError, read_rows
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
D = Decimal
MAR, APR = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    head = f.UserFactory(roles=[UNIT_HEAD], username="head")
    owner = f.UserFactory(roles=[MEASURE_OWNER], username="owner")
    staff = f.UserFactory(roles=[OSM_STAFF], username="staff")
    root = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=root, head=head, approval_required=True)
    dep = f.OrgUnitFactory(code="DEP", parent=bu, kind=UnitKind.DEPARTMENT)
    free = f.OrgUnitFactory(
        code="FREE", parent=bu, kind=UnitKind.DEPARTMENT, approval_required=False
    )
    rev = f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), code="REV", owner=owner)
    f.MeasureValueFactory(measure=rev, period=MAR)  # 95 against 100, red flag 90
    free_measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=free), code="FM", owner=owner)
    return {
        "root": root, "bu": bu, "dep": dep, "free": free, "rev": rev, "fm": free_measure,
        "head": head, "owner": owner, "staff": staff,
    }  # fmt: skip


def enter(w, who, period=MAR, measure="rev", **data):
    return services.measure_value_enter(
        actor=w[who], measure=w[measure], period=period, data=data, confirm=True
    )


def march(w, measure="rev"):
    return MeasureValue.objects.get(measure=w[measure], period=MAR)


def march_status(w):
    row = next(r for r in measure_detail(w["rev"]).rows if r.period == MAR)
    return row.actual, row.status


# Which units require approval ----------------------------------------------------------------


def test_approval_is_inherited_and_a_units_own_setting_wins(w):
    answers = approval_by_unit([w["root"].pk, w["bu"].pk, w["dep"].pk, w["free"].pk])
    assert answers == {
        w["root"].pk: False,  # the root's null means false
        w["bu"].pk: True,  # its own
        w["dep"].pk: True,  # null: BU's
        w["free"].pk: False,  # its own false wins over BU's true
    }
    # one unit at a time gives the same answers (the ancestors' query)
    assert approval_by_unit([w["dep"].pk]) == {w["dep"].pk: True}
    assert approval_by_unit([w["free"].pk]) == {w["free"].pk: False}


def test_off_by_default():
    unit = f.OrgUnitFactory()
    assert approval_by_unit([unit.pk, unit.parent_id]) == {unit.pk: False, unit.parent_id: False}


# Submitting, approving, returning ------------------------------------------------------------


def test_an_owners_value_waits_and_computed_figures_read_the_approved_one(w):
    change = enter(w, "owner", actual=D(80), note="Strike in March")
    assert change.submitted
    value = march(w)
    assert (value.state, value.submitted_actual, value.submitted_note) == (
        ValueState.SUBMITTED, D(80), "Strike in March",
    )  # fmt: skip
    assert (value.actual, value.note, value.submitted_by) == (D(95), "", w["owner"])
    # 95 against 100 with red flag 90 is yellow; the submitted 80 would be red
    assert march_status(w) == (D(95), scoring.YELLOW)

    services.measure_value_approve(actor=w["head"], instance=value)
    value = march(w)
    assert (value.state, value.actual, value.note) == (
        ValueState.APPROVED,
        D(80),
        "Strike in March",
    )
    assert (value.submitted_actual, value.reviewed_by, value.entered_by) == (
        None, w["head"], w["owner"],
    )  # fmt: skip
    assert march_status(w) == (D(80), scoring.RED)


def test_a_new_period_submitted_is_missing_from_the_scorecard_until_approved(w):
    enter(w, "owner", period=APR, actual=D(97))
    value = MeasureValue.objects.get(measure=w["rev"], period=APR)
    assert (value.actual, value.submitted_actual, value.state) == (None, D(97), "submitted")
    row = next(r for r in measure_detail(w["rev"]).rows if r.period == APR)
    assert (row.actual, row.status) == (None, scoring.NO_DATA)
    # the owner has done his part: April is not owed by him any more
    assert APR not in [o.period for o in owed_values(models_q(w["rev"]))]


def models_q(measure):
    from django.db.models import Q

    return Q(pk=measure.pk)


def test_the_inherited_unit_submits_and_the_unit_saying_no_does_not(w):
    dep_measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=w["dep"]), owner=w["owner"])
    assert services.measure_value_enter(
        actor=w["owner"], measure=dep_measure, period=MAR, data={"actual": D(5)}, confirm=True
    ).submitted
    change = enter(w, "owner", measure="fm", actual=D(5))
    assert not change.submitted
    assert (march(w, "fm").actual, march(w, "fm").state) == (D(5), ValueState.APPROVED)


@pytest.mark.parametrize("who", ["head", "staff"])
def test_heads_and_staff_write_approved_values_and_replace_a_submission(w, who):
    enter(w, "owner", actual=D(80), note="Strike")
    enter(w, who, actual=D(93), note="Checked with finance")
    value = march(w)
    assert (value.state, value.actual, value.note) == ("approved", D(93), "Checked with finance")
    assert (value.submitted_actual, value.submitted_note, value.reviewed_by) == (None, "", w[who])


def test_a_target_set_by_the_head_leaves_the_submission_waiting(w):
    enter(w, "owner", actual=D(80), note="Strike")
    enter(w, "head", target=D(110))
    value = march(w)
    assert (value.state, value.submitted_actual, value.target, value.actual) == (
        "submitted", D(80), D(110), D(95),
    )  # fmt: skip


def test_returning_needs_a_comment_and_the_owners_next_write_submits_again(w):
    enter(w, "owner", actual=D(80), note="Strike")
    with pytest.raises(ValidationError) as refused:
        services.measure_value_return(actor=w["head"], instance=march(w), comment="  ")
    assert refused.value.message_dict == {"comment": ["Say what the owner should correct."]}
    assert march(w).state == ValueState.SUBMITTED

    services.measure_value_return(
        actor=w["head"], instance=march(w), comment="80 is the February figure."
    )
    value = march(w)
    assert (value.state, value.review_comment, value.actual) == (
        "returned", "80 is the February figure.", D(95),
    )  # fmt: skip
    # the owner's form goes on from his submission: he corrects the actual only
    change = enter(w, "owner", actual=D(88))
    value = march(w)
    assert change.submitted
    assert (value.state, value.submitted_actual, value.submitted_note) == (
        "submitted",
        D(88),
        "Strike",
    )
    assert (value.review_comment, value.reviewed_by) == ("", None)


def test_a_returned_value_is_submitted_again_unchanged(w):
    enter(w, "owner", actual=D(80), note="Strike")
    services.measure_value_return(actor=w["head"], instance=march(w), comment="Sure?")
    enter(w, "owner", actual=D(80))
    assert march(w).state == ValueState.SUBMITTED


def test_only_heads_above_and_staff_review(w):
    enter(w, "owner", actual=D(96))
    other_head = f.UserFactory(roles=[UNIT_HEAD])
    f.OrgUnitFactory(head=other_head)  # heads a unit beside BU
    for who in (w["owner"], other_head):
        with pytest.raises(PermissionDenied):
            services.measure_value_approve(actor=who, instance=march(w))
        with pytest.raises(PermissionDenied):
            services.measure_value_return(actor=who, instance=march(w), comment="no")
    assert (march(w).state, march(w).actual) == ("submitted", D(95))
    services.measure_value_approve(actor=w["staff"], instance=march(w))
    assert march(w).actual == D(96)


def test_nothing_to_approve(w):
    with pytest.raises(ValidationError, match="is not waiting for approval"):
        services.measure_value_approve(actor=w["head"], instance=march(w))


def test_a_red_value_without_a_note_cannot_be_approved(w):
    """Submitted at 92 (yellow, no note needed); the head then raises the red flag to 95:
    92 < 95 is red, and the owner's note is empty."""
    enter(w, "owner", actual=D(92))
    enter(w, "head", red_flag=D(95))
    with pytest.raises(ValidationError, match="return it, asking"):
        services.measure_value_approve(actor=w["head"], instance=march(w))
    assert (march(w).actual, march(w).state) == (D(95), "submitted")


def test_an_owners_red_submission_needs_its_note(w):
    with pytest.raises(ValidationError) as refused:
        enter(w, "owner", actual=D(80))
    assert "note" in refused.value.message_dict
    assert (march(w).state, march(w).submitted_actual) == ("approved", None)


def test_a_closed_month_is_neither_submitted_into_nor_approved(w):
    enter(w, "owner", actual=D(96))
    services.month_close(actor=w["staff"], month=MAR)
    with pytest.raises(ValidationError, match="Mar 2026 is closed"):
        services.measure_value_approve(actor=w["head"], instance=march(w))
    with pytest.raises(ValidationError, match="Mar 2026 is closed"):
        services.measure_value_return(actor=w["head"], instance=march(w), comment="x")
    with pytest.raises(ValidationError, match="Mar 2026 is closed"):
        enter(w, "owner", actual=D(97))
    value = march(w)
    assert (value.state, value.actual, value.submitted_actual) == ("submitted", D(95), D(96))


def test_an_owner_clearing_his_actual_submits_the_clearing(w):
    services.measure_value_clear(actor=w["owner"], instance=march(w), fields=["actual"])
    value = march(w)
    assert (value.actual, value.submitted_actual, value.state) == (D(95), None, "submitted")
    services.measure_value_approve(actor=w["head"], instance=value)
    assert march(w).actual is None


def test_history_keeps_each_step(w):
    enter(w, "owner", actual=D(96))
    services.measure_value_approve(actor=w["head"], instance=march(w))
    steps = list(march(w).history.order_by("history_date", "history_id"))
    assert [(s.state, s.actual, s.submitted_actual) for s in steps] == [
        ("approved", D(95), None),  # as the factory made it
        ("submitted", D(95), D(96)),
        ("approved", D(96), None),
    ]


# Many at once --------------------------------------------------------------------------------


def bulk(w, who, text):
    """The rows of a CSV text, as the upload reads them (a dict per line)."""
    lines = text.strip().splitlines()
    names = lines[0].split(",")
    raw = [dict(zip(names, line.split(","), strict=True)) for line in lines[1:]]
    return services.measure_values_bulk_record(actor=w[who], rows=read_rows(raw))


def test_an_owners_batch_is_submitted_and_a_heads_is_approved(w):
    counts = bulk(
        w, "owner",
        "measure_code,period,actual,note\nBU.REV,2026-03,96,\nBU.REV,2026-04,97,\nFREE.FM,2026-03,5,\n",
    )  # fmt: skip
    assert (counts.created, counts.updated) == (2, 1)
    rows = {
        (v.measure.code, v.period): (v.state, v.actual, v.submitted_actual)
        for v in MeasureValue.objects.select_related("measure")
    }
    assert rows == {
        ("REV", MAR): ("submitted", D(95), D(96)),
        ("REV", APR): ("submitted", None, D(97)),
        ("FM", MAR): ("approved", D(5), None),  # FREE says no
    }
    assert march(w).history.latest().submitted_actual == D(96)
    bulk(w, "head", "measure_code,period,actual\nBU.REV,2026-03,94\n")
    value = march(w)
    assert (value.state, value.actual, value.submitted_actual) == ("approved", D(94), None)


def test_an_owners_batch_with_a_red_row_without_note_writes_nothing(w):
    with pytest.raises(BulkError):
        bulk(w, "owner", "measure_code,period,actual\nBU.REV,2026-04,97\nBU.REV,2026-03,80\n")
    assert MeasureValue.objects.count() == 1
    assert march(w).state == "approved"


# The API -------------------------------------------------------------------------------------


def test_api_units_show_their_setting_and_what_applies(w):
    body = client_for(w["staff"]).get("/api/v1/units/", {"page_size": 100}).json()
    got = {u["code"]: (u["approval_required"], u["approval_effective"]) for u in body["results"]}
    assert got == {
        "ACME": (None, False), "BU": (True, True), "DEP": (None, True), "FREE": (False, False),
    }  # fmt: skip


def test_api_staff_set_a_units_approval(w):
    answer = client_for(w["staff"]).patch(
        f"/api/v1/units/{w['free'].pk}/", {"approval_required": None}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["approval_effective"] is True  # inherits BU's now
    refused = client_for(w["head"]).patch(
        f"/api/v1/units/{w['bu'].pk}/", {"approval_required": False}, format="json"
    )
    assert refused.status_code == 403


def test_api_owner_submits_head_returns_then_approves(w):
    owner, head = client_for(w["owner"]), client_for(w["head"])
    pk = march(w).pk
    answer = owner.patch(f"/api/v1/measure-values/{pk}/", {"actual": "96"}, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["state"], body["actual"], body["submitted_actual"]) == (
        "submitted",
        "95.000000",
        "96.000000",
    )

    assert owner.post(f"/api/v1/measure-values/{pk}/approve/").status_code == 403
    no_comment = head.post(f"/api/v1/measure-values/{pk}/return/", {}, format="json")
    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()
    returned = head.post(
        f"/api/v1/measure-values/{pk}/return/", {"comment": "Which plant?"}, format="json"
    )
    assert returned.status_code == 200
    assert (returned.json()["state"], returned.json()["review_comment"]) == (
        "returned",
        "Which plant?",
    )
    # returned, not waiting: approving it is a 400 saying so
    assert head.post(f"/api/v1/measure-values/{pk}/approve/").status_code == 400
    owner.patch(f"/api/v1/measure-values/{pk}/", {"note": "Plant 2"}, format="json")
    approved = head.post(f"/api/v1/measure-values/{pk}/approve/")
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["actual"], approved.json()["note"]) == (
        "approved", "96.000000", "Plant 2",
    )  # fmt: skip
    waiting = head.get("/api/v1/measure-values/", {"state": "submitted"}).json()
    assert waiting["count"] == 0


def test_api_an_executive_may_not_review(w):
    enter(w, "owner", actual=D(96))
    executive = f.UserFactory(roles=["Executive"])
    answer = client_for(executive).post(f"/api/v1/measure-values/{march(w).pk}/approve/")
    assert answer.status_code == 403
    assert march(w).state == "submitted"


# The pages -----------------------------------------------------------------------------------


def test_my_updates_shows_the_head_his_queue_and_approving_moves_the_actual(w, client):
    enter(w, "owner", actual=D(96), note="Better week")
    client.force_login(w["head"])
    page = client.get(reverse("my-updates"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Waiting for your approval" in html and "Better week" in html
    answer = client.post(reverse("value-approve", args=[march(w).pk]), {"next": "/my/updates/"})
    assert answer.status_code == 302 and answer["Location"] == "/my/updates/"
    assert (march(w).actual, march(w).state) == (D(96), "approved")


def test_the_return_page_needs_a_comment_and_the_owner_sees_it(w, client):
    enter(w, "owner", actual=D(96))
    client.force_login(w["head"])
    url = reverse("value-return", args=[march(w).pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"comment": ""}).status_code == 400
    assert march(w).state == "submitted"
    assert client.post(url, {"comment": "Check the plant figures"}).status_code == 302
    client.force_login(w["owner"])
    html = client.get(reverse("my-updates")).content.decode()
    assert "Returned to you" in html and "Check the plant figures" in html
    # the form on the measure page starts from what he submitted
    html = client.get(
        reverse("measure", args=[w["rev"].pk]), {"period": "2026-03"}
    ).content.decode()
    assert 'value="96' in html


def test_an_owner_may_not_open_the_queue_or_approve(w, client):
    enter(w, "owner", actual=D(96))
    client.force_login(w["owner"])
    assert client.get(reverse("approvals")).status_code == 403
    assert client.post(reverse("value-approve", args=[march(w).pk])).status_code == 403
    assert march(w).state == "submitted"


def test_the_queue_reads_a_fixed_number_of_queries(w, client):
    client.force_login(w["staff"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("approvals")).status_code == 200
        return len(captured)

    enter(w, "owner", actual=D(96))
    one = queries()
    for n in range(5):
        m = f.MeasureFactory(objective=w["rev"].objective, owner=w["owner"])
        services.measure_value_enter(
            actor=w["owner"], measure=m, period=MAR, data={"actual": D(n)}, confirm=True
        )
    assert awaiting_review(w["staff"]).count() == 6
    assert queries() == one


def test_the_admin_approves_at_once_and_tells_of_what_it_turns_off_target(w, client):
    """OWNER submitted 96 for March; the OSM staff correct March to 85 in the admin, with a
    note: 85 < red flag 90 is red. The submission is replaced (approved, nothing pending)
    and REV's owner hears that it went off target."""
    from core.models import Notification

    enter(w, "owner", actual=D(96))
    admin = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    client.force_login(admin)
    change = f"/admin/scorecards/measurevalue/{march(w).pk}/change/"
    form = {"actual": "85", "target": "100", "red_flag": "90", "note": "Strike, checked"}
    answer = client.post(change, form)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    value = march(w)
    assert (value.state, value.actual, value.submitted_actual) == ("approved", D(85), None)
    assert (value.reviewed_by, value.entered_by) == (admin, admin)
    assert Notification.objects.filter(recipient=w["owner"], kind="turned_red").exists()
