"""Each security event wired to the audit log is recorded once, with who did it, from which
address (the client's, behind NUM_PROXIES trusted proxies), on whom or what, and the
detail: sign-ins and their failures, lockouts and sign-outs (accounts/receivers.py), months
closed and reopened, unit heads changed, roles changed in the admin, and downloads of pay
data."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from core.audit import AuditKind, audit
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF
from scorecards import services as scorecard_services
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"
CLIENT = "198.51.100.7"  # the person's own address
PROXY = "10.0.0.1"  # the TLS proxy in front of OSM


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    cache.clear()  # the login throttles and lockout counts
    yield
    cache.clear()


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", roles=[EXECUTIVE])


@pytest.fixture
def staff():
    return f.UserFactory(username="osm", roles=[OSM_STAFF])


def entries(kind=None) -> list[AuditEvent]:
    rows = AuditEvent.objects.order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def only(kind) -> AuditEvent:
    found = entries(kind)
    assert len(found) == 1, f"{len(found)} entries of {kind}: {found}"
    return found[0]


def behind_the_proxy(settings) -> dict:
    """What the proxy passes on for the client: its own address, the client's appended."""
    settings.NUM_PROXIES = 1
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"6.6.6.6, {CLIENT}"}


def web_login(client, username="ada", password=PASSWORD, **meta):
    meta.setdefault("REMOTE_ADDR", CLIENT)
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


# Sign-in, failures, lockout, sign-out -----------------------------------------------------


def test_a_password_sign_in_and_sign_out(client, ada):
    assert web_login(client).status_code == 302
    login = only(AuditKind.LOGIN)
    assert (login.actor, login.actor_name, login.target, login.target_name) == (
        ada, "ada", ada, "ada")  # fmt: skip
    assert (login.address, login.detail) == (CLIENT, "password")
    assert client.post("/accounts/logout/", REMOTE_ADDR=CLIENT).status_code == 302
    logout = only(AuditKind.LOGOUT)
    assert (logout.actor, logout.target, logout.address) == (ada, ada, CLIENT)
    assert [e.kind for e in entries()] == [AuditKind.LOGIN, AuditKind.LOGOUT]


def test_a_failed_sign_in_names_the_username_typed(client, ada):
    assert web_login(client, password="wrong").status_code == 200
    assert web_login(client, username="nobody-here", password="x").status_code == 200
    failed = entries(AuditKind.LOGIN_FAILED)
    assert [(e.actor_id, e.actor_name, e.target_name, e.address) for e in failed] == [
        (None, "ada", "ada", CLIENT),
        (None, "nobody-here", "nobody-here", CLIENT),
    ]
    assert not entries(AuditKind.LOGIN)


def test_behind_the_proxy_the_client_s_own_address_is_recorded(client, ada, settings):
    meta = behind_the_proxy(settings)
    web_login(client, password="wrong", **meta)
    web_login(client, **meta)
    assert [(e.kind, e.address) for e in entries()] == [
        (AuditKind.LOGIN_FAILED, CLIENT),  # not the proxy's, nor what the client wrote
        (AuditKind.LOGIN, CLIENT),
    ]


def test_the_limit_of_failures_from_one_address_locks_the_username_out_once(client, ada, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, password="wrong")
    locked = only(AuditKind.LOCKED_OUT)
    assert (locked.actor_id, locked.actor_name, locked.target_name) == (None, "ada", "ada")
    assert (locked.address, locked.detail) == (CLIENT, CLIENT)
    assert len(entries(AuditKind.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT
    # Refused while locked, even with the right password: a failure, not a second lockout.
    assert web_login(client).status_code == 429
    assert len(entries(AuditKind.LOCKED_OUT)) == 1
    assert not entries(AuditKind.LOGIN)


def test_fewer_failures_than_the_limit_lock_nobody_out(client, ada, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        web_login(client, password="wrong")
    assert web_login(client).status_code == 302
    assert not entries(AuditKind.LOCKED_OUT)


# Months closed and reopened ---------------------------------------------------------------


def test_closing_and_reopening_a_month_on_its_pages(client, staff):
    client.force_login(staff)
    response = client.post("/reporting/months/2020-01/close/", REMOTE_ADDR=CLIENT)
    assert response.status_code == 302
    closed = only(AuditKind.MONTH_CLOSED)
    assert (closed.actor, closed.actor_name, closed.address) == (staff, "osm", CLIENT)
    assert (closed.target_id, closed.target_name, closed.detail) == (None, "2020-01", "")
    client.post("/reporting/months/2020-01/reopen/", {"reason": "Late invoice"},
                REMOTE_ADDR="192.0.2.4")  # fmt: skip
    reopened = only(AuditKind.MONTH_REOPENED)
    assert (reopened.actor, reopened.address) == (staff, "192.0.2.4")
    assert (reopened.target_name, reopened.detail) == ("2020-01", "Late invoice")


def test_a_refused_closing_is_not_recorded(client, staff):
    client.force_login(staff)
    client.post("/reporting/months/2020-01/close/")
    assert client.post("/reporting/months/2020-01/close/").status_code == 400  # again
    assert client.post("/reporting/months/2020-02/reopen/", {"reason": "x"}).status_code == 400
    assert len(entries(AuditKind.MONTH_CLOSED)) == 1
    assert not entries(AuditKind.MONTH_REOPENED)


def test_closing_through_the_api_behind_the_proxy(staff, settings):
    api = APIClient(**behind_the_proxy(settings))
    api.force_authenticate(staff)
    answer = api.post("/api/v1/reporting-periods/close/", {"month": "2020-03"}, format="json")
    assert answer.status_code == 200, answer.content
    closed = only(AuditKind.MONTH_CLOSED)
    assert (closed.actor, closed.address, closed.target_name) == (staff, CLIENT, "2020-03")


def test_a_job_s_closing_has_no_address(staff):
    scorecard_services.month_close(actor=staff, month=dt.date(2020, 4, 1))
    closed = only(AuditKind.MONTH_CLOSED)
    assert (closed.actor, closed.address, closed.target_name) == (staff, None, "2020-04")


# Unit heads -------------------------------------------------------------------------------


def test_changing_a_unit_s_head_through_the_api(staff):
    bea, cal = f.UserFactory(username="bea"), f.UserFactory(username="cal")
    unit = f.OrgUnitFactory(code="SALES", head=bea)
    api = APIClient(REMOTE_ADDR=CLIENT)
    api.force_authenticate(staff)
    answer = api.patch(f"/api/v1/units/{unit.pk}/", {"head": cal.pk}, format="json")
    assert answer.status_code == 200, answer.content
    changed = only(AuditKind.HEAD_CHANGED)
    assert (changed.actor, changed.address) == (staff, CLIENT)
    assert (changed.target, changed.target_name) == (cal, "cal")
    assert changed.detail == "unit SALES; head before: bea"
    # Renaming the unit leaves its head: nothing more to record.
    renamed = api.patch(f"/api/v1/units/{unit.pk}/", {"name": "Sales"}, format="json")
    assert renamed.status_code == 200
    assert len(entries(AuditKind.HEAD_CHANGED)) == 1


def test_a_new_unit_s_head_and_a_head_removed(staff):
    dan = f.UserFactory(username="dan")
    root = f.EnterpriseFactory()
    unit = scorecard_services.unit_create(
        actor=staff, data={"code": "OPS", "name": "Operations", "kind": "business",
                           "parent": root, "head": dan},
    )  # fmt: skip
    scorecard_services.unit_create(
        actor=staff, data={"code": "HEADLESS", "name": "No head", "kind": "business",
                           "parent": root},
    )  # fmt: skip
    scorecard_services.unit_update(actor=staff, instance=unit, data={"head": None})
    made, removed = entries(AuditKind.HEAD_CHANGED)
    assert (made.actor, made.target, made.detail) == (staff, dan, "unit OPS; head before: nobody")
    assert (removed.target_id, removed.target_name) == (None, "")
    assert removed.detail == "unit OPS; head before: dan"


def test_a_form_that_changed_the_instance_first_still_names_the_head_before(staff):
    bea, cal = f.UserFactory(username="bea"), f.UserFactory(username="cal")
    unit = f.OrgUnitFactory(code="FIN", head=bea)
    unit.head = cal  # as a ModelForm's validation does before the service runs
    scorecard_services.unit_update(actor=staff, instance=unit, data={"head": cal})
    assert only(AuditKind.HEAD_CHANGED).detail == "unit FIN; head before: bea"


# Roles changed in the admin ---------------------------------------------------------------


def admin_save(actor, user, groups, address=CLIENT):
    """What the admin's change form does on a valid POST (its save_model, save_related)."""
    model_admin = admin.site._registry[get_user_model()]
    request = RequestFactory().post("/admin/", REMOTE_ADDR=address)
    request.user = actor
    form_class = model_admin.get_form(request, user, change=True)
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "groups": [g.pk for g in groups],
        "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
    }  # fmt: skip
    form = form_class(data, instance=user)
    assert form.is_valid(), form.errors
    saved = model_admin.save_form(request, form, change=True)
    model_admin.save_model(request, saved, form, change=True)
    model_admin.save_related(request, form, [], change=True)


def test_roles_given_and_taken_in_the_admin(staff):
    group = {name: Group.objects.get_or_create(name=name)[0] for name in (EXECUTIVE, HR, EMPLOYEE)}
    bea = f.UserFactory(username="bea", roles=[HR, EMPLOYEE])
    admin_save(staff, bea, [group[EXECUTIVE], group[EMPLOYEE]])
    changed = only(AuditKind.ROLES_CHANGED)
    assert (changed.actor, changed.address, changed.target, changed.target_name) == (
        staff, CLIENT, bea, "bea")  # fmt: skip
    assert changed.detail == "+Executive \u2212HR"
    admin_save(staff, bea, [group[EXECUTIVE], group[EMPLOYEE]])  # no change of roles
    assert len(entries(AuditKind.ROLES_CHANGED)) == 1


# Downloads of pay data --------------------------------------------------------------------


@pytest.fixture
def people_unit():
    unit = f.OrgUnitFactory(code="IND")
    employee = f.EmployeeFactory(unit=unit)
    f.IncentiveComponentFactory(employee=employee)
    return unit


def test_the_alignment_workbook_with_its_people_lists_is_recorded(client, people_unit):
    hr = f.UserFactory(username="hr", roles=[HR])
    client.force_login(hr)
    response = client.get(
        "/reports/alignment/", {"unit": "IND", "fiscal_year": "2026", "format": "xlsx"},
        REMOTE_ADDR=CLIENT,
    )  # fmt: skip
    assert response.status_code == 200
    download = only(AuditKind.PAY_DATA_DOWNLOADED)
    assert (download.actor, download.address, download.target_name) == (hr, CLIENT, "IND")
    assert download.detail == "alignment workbook: unit=IND fiscal_year=2026"


def test_files_without_pay_data_are_not_recorded(client, people_unit):
    client.force_login(f.UserFactory(roles=[HR]))
    csv_file = client.get("/reports/alignment/", {"unit": "IND", "format": "csv"})
    assert csv_file.status_code == 200  # each unit's percentages only
    client.force_login(f.UserFactory(roles=[MEASURE_OWNER]))  # the workbook without people
    assert client.get("/reports/alignment/", {"unit": "IND"}).status_code == 200
    assert not entries(AuditKind.PAY_DATA_DOWNLOADED)


def test_the_api_s_alignment_workbook_is_recorded_too(people_unit, settings):
    executive = f.UserFactory(username="exec", roles=[EXECUTIVE])
    api = APIClient(**behind_the_proxy(settings))
    api.force_authenticate(executive)
    query = {"unit": people_unit.pk, "fiscal_year": 2025}
    assert api.get("/api/v1/alignment/", {**query, "format": "xlsx"}).status_code == 200
    assert api.get("/api/v1/alignment/", {**query, "format": "csv"}).status_code == 200
    assert api.get("/api/v1/alignment/", query).status_code == 200
    download = only(AuditKind.PAY_DATA_DOWNLOADED)
    assert (download.actor, download.address) == (executive, CLIENT)
    assert download.detail == "alignment workbook: unit=IND fiscal_year=2025"


# The recorder -----------------------------------------------------------------------------


def test_an_address_that_is_not_one_is_left_out_and_the_entry_still_written(settings):
    settings.NUM_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="unknown")
    audit(AuditKind.LOGIN_FAILED, request=request, actor_name="ada")
    failed = only(AuditKind.LOGIN_FAILED)
    assert (failed.address, failed.actor_name) == (None, "ada")


def test_long_names_and_details_are_cut_to_their_columns():
    audit(AuditKind.LOGIN_FAILED, actor_name="a" * 500, target_name="t" * 500, detail="d" * 5000)
    failed = only(AuditKind.LOGIN_FAILED)
    assert (len(failed.actor_name), len(failed.target_name), len(failed.detail)) == (
        150, 200, 1000)  # fmt: skip
