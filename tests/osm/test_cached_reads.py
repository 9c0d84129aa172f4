"""Reads kept as the bytes they were sent as (core/reads.py, core/api/cached.py; issue 19):
the unit scorecard and alignment APIs, the lists of values and objectives, and the
dashboard's body. A kept answer is served only to readers with the same scope, costs fewer
queries than computing it, and is never served once a write has committed.

These tests commit (transaction=True): inside a transaction nothing is kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from budgets.models import BudgetLine
from core import reads
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF, UNIT_HEAD
from core.scoping import row_scope
from scorecards import services
from scorecards.models import MeasureValue, Objective
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

LAST = add_months(timezone.localdate().replace(day=1), -1)


@pytest.fixture
def org():
    """The enterprise with one objective and one measure at its target last month; a
    business unit with one objective below it."""
    cache.clear()
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    f.ObjectiveFactory(unit=bu, code="SELL", name="Sell", supports=[grow])
    revenue = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    services.measure_value_record(
        measure=revenue, period=LAST, actual=Decimal(100), target=Decimal(100),
        red_flag=Decimal(90), actor=None,
    )  # fmt: skip
    yield ent, bu, revenue
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def count_queries(call):
    with CaptureQueriesContext(connection) as captured:
        answer = call()
    return answer, len(captured.captured_queries)


# The kit ------------------------------------------------------------------------------------


def test_a_kept_read_is_computed_once_per_data_version(org):
    _ent, bu, _revenue = org
    computed = []

    def compute():
        computed.append(1)
        return f"computed {len(computed)}"

    assert reads.cached_read("test", ("a",), compute) == "computed 1"
    assert reads.cached_read("test", ("a",), compute) == "computed 1"  # kept
    assert reads.cached_read("test", ("b",), compute) == "computed 2"  # other parts
    f.ObjectiveFactory(unit=bu, code="NEW")  # a committed write moves the version on
    assert reads.cached_read("test", ("a",), compute) == "computed 3"


def test_nothing_is_kept_inside_a_transaction(org):
    from django.db import transaction

    computed = []

    def compute():
        computed.append(1)
        return "x"

    with transaction.atomic():
        reads.cached_read("test", ("a",), compute)
        reads.cached_read("test", ("a",), compute)
    assert len(computed) == 2
    reads.cached_read("test", ("a",), compute)
    reads.cached_read("test", ("a",), compute)
    assert len(computed) == 3


def test_the_row_scope_names_what_restrict_lets_see(org):
    ent, bu, _revenue = org
    staff = f.UserFactory(roles=[OSM_STAFF])
    executive = f.UserFactory(roles=[EXECUTIVE])
    head_bu, next_head_bu, head_ent = (f.UserFactory(roles=[UNIT_HEAD]) for _ in range(3))
    bu.head, ent.head = head_bu, head_ent
    bu.save()
    ent.save()
    nobody = f.UserFactory(roles=[])
    # everyone with a role sees every objective: one scope; without a role, none
    assert row_scope(Objective, staff) == row_scope(Objective, head_bu) == "all"
    assert row_scope(Objective, nobody) == "none"
    # budget lines: the staff and executives all of them, a unit head his subtree's
    assert row_scope(BudgetLine, staff) == row_scope(BudgetLine, executive) == "all"
    bu_scope = row_scope(BudgetLine, head_bu)
    assert bu_scope not in ("all", "none")
    assert bu_scope != row_scope(BudgetLine, head_ent)  # the enterprise's head sees more
    # BU's next head sees what the last one saw: the same scope
    bu.head = next_head_bu
    bu.save()
    assert row_scope(BudgetLine, next_head_bu) == bu_scope


# The APIs ----------------------------------------------------------------------------------


def test_the_scorecard_api_is_served_kept_until_a_write(org):
    ent, _bu, revenue = org
    client = api(f.UserFactory(roles=[EXECUTIVE]))
    url = f"/api/v1/units/{ent.pk}/scorecard/"
    first, cold = count_queries(lambda: client.get(url))
    second, warm = count_queries(lambda: client.get(url))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert warm < cold
    # revenue 100 at target 100, red flag 90: 6.67
    assert second.json()["perspectives"][0]["objectives"][0]["measures"][0]["score"] == 6.67
    # another reader with the same scope is served the same bytes
    other = api(f.UserFactory(roles=[OSM_STAFF]))
    assert other.get(url).content == first.content
    # a write through the API is seen by the next read at once
    row = MeasureValue.objects.get(measure=revenue, period=LAST)
    staff = api(f.UserFactory(roles=[OSM_STAFF]))
    answer = staff.patch(f"/api/v1/measure-values/{row.pk}/", {"actual": "95"}, format="json")
    assert answer.status_code == 200, answer.content
    fresh = client.get(url).json()
    # (95 - 90) / (100 - 90) = 0.5 -> 10/3 + 0.5 * 10/3 = 5.00
    assert fresh["perspectives"][0]["objectives"][0]["measures"][0]["score"] == 5.0


def test_the_alignment_api_keeps_the_people_lists_to_those_who_may_see_them(org):
    staff = api(f.UserFactory(roles=[OSM_STAFF]))
    employee = api(f.UserFactory(roles=[EMPLOYEE]))
    full = staff.get("/api/v1/alignment/").json()
    assert "unaligned_employees" in full and "unlinked_budget_lines" in full
    # the staff's answer is kept; the employee's scope differs, so it is not served to him
    narrow = employee.get("/api/v1/alignment/").json()
    assert "unaligned_employees" not in narrow and "unlinked_budget_lines" not in narrow
    assert narrow["objective_linkage"] == full["objective_linkage"]


def test_the_browsable_api_is_not_kept(org):
    ent, *_ = org
    user = f.UserFactory(roles=[EXECUTIVE], username="ada")
    client = Client()
    client.force_login(user)
    page = client.get(f"/api/v1/units/{ent.pk}/scorecard/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "ada" in page.content.decode()  # the page names its user: rendered for him


def test_a_page_of_values_is_kept_per_scope_and_query(org):
    staff = api(f.UserFactory(roles=[OSM_STAFF]))
    url = "/api/v1/measure-values/?page_size=100"
    first, cold = count_queries(lambda: staff.get(url))
    second, warm = count_queries(lambda: staff.get(url))
    assert second.content == first.content and warm < cold
    assert first.json()["count"] == 1
    # a user without a role is refused, not served the staff's kept page
    assert api(f.UserFactory(roles=[])).get(url).status_code == 403
    # a page of another size is another answer
    assert staff.get("/api/v1/measure-values/?page_size=1").json()["count"] == 1


def test_a_page_of_objectives_is_not_stale_after_a_write(org):
    _ent, bu, _revenue = org
    staff = api(f.UserFactory(roles=[OSM_STAFF]))
    url = "/api/v1/objectives/?page_size=100"
    assert staff.get(url).json()["count"] == 2
    f.ObjectiveFactory(unit=bu, code="NEW")
    assert staff.get(url).json()["count"] == 3


def test_kept_reads_cost_the_same_queries_however_big_the_company(org):
    ent, bu, _revenue = org
    client = api(f.UserFactory(roles=[OSM_STAFF]))
    urls = [
        f"/api/v1/units/{ent.pk}/scorecard/",
        "/api/v1/alignment/",
        "/api/v1/measure-values/?page_size=100",
        "/api/v1/objectives/?page_size=100",
    ]

    def warm_counts():
        for url in urls:
            client.get(url)
        return [count_queries(lambda u=url: client.get(u))[1] for url in urls]

    small = warm_counts()
    for i in range(6):
        unit = f.OrgUnitFactory(code=f"U{i}", parent=bu)
        objective = f.ObjectiveFactory(unit=unit)
        f.MeasureFactory(objective=objective)
    assert warm_counts() == small


# The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_body_is_kept_and_the_menu_is_each_users(org):
    executive = f.UserFactory(roles=[EXECUTIVE], first_name="Zebulon", last_name="Quartz")
    employee = f.UserFactory(roles=[EMPLOYEE], first_name="Xanthippe", last_name="Vorn")
    reader = Client()
    reader.force_login(executive)
    first, cold = count_queries(lambda: reader.get("/"))
    second, warm = count_queries(lambda: reader.get("/"))
    assert first.status_code == second.status_code == 200
    assert warm < cold
    assert "Zebulon" in second.content.decode()
    # the employee gets the page with his own header, not the executive's
    other = Client()
    other.force_login(employee)
    html = other.get("/").content.decode()
    assert "Xanthippe" in html and "Zebulon" not in html
    # a committed change shows at once
    Objective.objects.filter(code="GROW").update(name="Grow faster")  # no signal: bulk
    from core.versioning import data_changed

    data_changed()
    assert "Grow faster" in reader.get("/").content.decode()


def test_a_listed_meeting_that_starts_drops_out_of_the_kept_dashboard(org, monkeypatch):
    ent, *_ = org
    meeting = f.ReviewMeetingFactory(
        unit=ent, title="Quarterly review", scheduled_for=timezone.now() + dt.timedelta(hours=1)
    )
    reader = Client()
    reader.force_login(f.UserFactory(roles=[EXECUTIVE]))
    assert "Quarterly review" in reader.get("/").content.decode()
    later = timezone.now() + dt.timedelta(hours=2)  # the meeting has started
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert meeting.title not in reader.get("/").content.decode()
