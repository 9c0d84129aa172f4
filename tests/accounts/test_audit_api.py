"""`GET /api/v1/audit-events/` (API.md "Users and audit"): OSM staff only, filtered as the
page, `?format=csv`, read-only (every write method 405), bad filters 400 with field
messages."""

import csv
import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit-events/"
UTC = dt.UTC


@pytest.fixture
def staff():
    return f.UserFactory(username="osm", roles=[OSM_STAFF])


@pytest.fixture
def log():
    def entry(at, kind, actor, target="", address=None, detail=""):
        return AuditEvent.objects.create(
            at=at, kind=kind, actor_name=actor, target_name=target, address=address,
            detail=detail,
        )  # fmt: skip

    return {
        "login": entry(dt.datetime(2026, 10, 1, 8, tzinfo=UTC), AuditKind.LOGIN, "ada", "ada",
                       "10.0.0.1", "password"),
        "failed": entry(dt.datetime(2026, 10, 1, 9, tzinfo=UTC), AuditKind.LOGIN_FAILED,
                        "adam", "adam", "10.0.0.9"),
        "reopened": entry(dt.datetime(2026, 10, 2, 9, tzinfo=UTC), AuditKind.MONTH_REOPENED,
                          "osm", "2026-09", "10.0.0.2", "@SUM(A1) late invoice"),
    }  # fmt: skip


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_staff_read_the_entries_newest_first_with_the_contract_s_fields(staff, log):
    response = client_for(staff).get(URL)
    body = response.json()
    assert body["count"] == 3
    assert body["results"][0] == {
        "id": log["reopened"].pk,
        "at": "2026-10-02T09:00:00Z",
        "kind": "month_reopened",
        "actor": "osm",
        "address": "10.0.0.2",
        "target": "2026-09",
        "detail": "@SUM(A1) late invoice",
    }
    assert ids(response) == [log["reopened"].pk, log["failed"].pk, log["login"].pk]
    one = client_for(staff).get(f"{URL}{log['login'].pk}/")
    assert one.status_code == 200 and one.json()["actor"] == "ada"
    assert client_for(staff).get(f"{URL}999999/").status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "login_failed"}, ["failed"]),
        ({"actor": "ada"}, ["login"]),
        ({"actor_contains": "AD"}, ["failed", "login"]),
        ({"target": "2026-09"}, ["reopened"]),
        ({"after": "2026-10-01T08:30:00Z"}, ["reopened", "failed"]),
        ({"before": "2026-10-01T09:00:00Z"}, ["login"]),
        ({"after": "2026-10-01", "before": "2026-10-02"}, ["failed", "login"]),
        ({"address": "10.0.0.9"}, ["failed"]),
        ({"ordering": "at"}, ["login", "failed", "reopened"]),
    ],
)
def test_the_filters(staff, log, query, expected):
    assert ids(client_for(staff).get(URL, query)) == [log[k].pk for k in expected]


def test_the_csv_has_the_same_filters_and_neutralises_formulas(staff, log):
    response = client_for(staff).get(URL, {"format": "csv", "after": "2026-10-01T08:30:00Z"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "at", "kind", "what", "actor", "address", "target", "detail"],
        [str(log["reopened"].pk), "2026-10-02T09:00:00+00:00", "month_reopened",
         "Month reopened", "osm", "10.0.0.2", "2026-09", "'@SUM(A1) late invoice"],
        [str(log["failed"].pk), "2026-10-01T09:00:00+00:00", "login_failed", "Sign-in failed",
         "adam", "10.0.0.9", "adam", ""],
    ]  # fmt: skip


@pytest.mark.parametrize(
    "query, field",
    [
        ({"kind": "coffee"}, "kind"),
        ({"after": "last week"}, "after"),
        ({"before": "2026-02-30"}, "before"),
        ({"address": "not-an-address"}, "address"),
        ({"after": "2026-10-02", "before": "2026-10-01"}, "before"),
        ({"format": "xml"}, "format"),
        ({"kind": "coffee", "format": "csv"}, "kind"),  # a CSV's bad filter: JSON 400 too
    ],
)
def test_bad_input_is_a_400_with_field_messages(staff, log, query, field):
    response = client_for(staff).get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == [field] and body[field] and isinstance(body[field][0], str)


@pytest.mark.parametrize("role", [EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, UNIT_HEAD])
def test_nobody_but_the_staff_reads_the_log(log, role):
    user = f.UserFactory(roles=[role])
    if role == UNIT_HEAD:
        f.OrgUnitFactory(head=user)
    api = client_for(user)
    assert api.get(URL).status_code == 403
    assert api.get(URL, {"format": "csv"}).status_code == 403
    assert api.get(f"{URL}{log['login'].pk}/").status_code == 403


def test_a_superuser_reads_it_and_a_visitor_is_refused(log):
    assert client_for(f.UserFactory(is_superuser=True)).get(URL).status_code == 200
    anonymous = APIClient()
    assert anonymous.get(URL).status_code in (401, 403)
    assert anonymous.get(URL, {"format": "csv"}).status_code in (401, 403)


def test_nothing_writes_an_entry_through_the_api(staff, log):
    api = client_for(staff)
    one = f"{URL}{log['login'].pk}/"
    body = {"kind": "login", "actor": "mallory", "detail": "made up"}
    assert api.post(URL, body, format="json").status_code == 405
    assert api.put(one, body, format="json").status_code == 405
    assert api.patch(one, {"detail": "made up"}, format="json").status_code == 405
    assert api.delete(one).status_code == 405
    assert AuditEvent.objects.count() == 3
    assert AuditEvent.objects.get(pk=log["login"].pk).detail == "password"
    # Others are refused before the method is even considered.
    assert client_for(f.UserFactory(roles=[HR])).delete(one).status_code == 403
