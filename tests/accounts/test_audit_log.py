"""The security audit log's page (/accounts/audit/), its CSV, the admin, and what keeps an
entry as written: the database trigger, the admin without add/change/delete, and the
nightly prune of what is older than AUDIT_RETENTION_DAYS."""

import csv
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.admin import AuditEventAdmin, UserSessionAdmin
from accounts.models import AuditEvent, UserSession
from accounts.tasks import prune_audit_log
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/accounts/audit/"
UTC = dt.UTC


def entry(at: dt.datetime, kind=AuditKind.LOGIN, **fields) -> AuditEvent:
    """An entry as the recorder writes it (the names copied), at a given moment."""
    fields.setdefault("actor_name", "ada")
    fields.setdefault("target_name", fields["actor_name"])
    return AuditEvent.objects.create(at=at, kind=kind, **fields)


@pytest.fixture
def staff():
    return f.UserFactory(username="osm", roles=[OSM_STAFF])


@pytest.fixture
def page(client, staff):
    """The test client signed in as OSM staff, the log then emptied of that sign-in."""
    client.force_login(staff)
    AuditEvent.objects.all().delete()
    return client


@pytest.fixture
def log(page):
    """Five entries over three days of October 2026 (UTC, the settings' time zone)."""
    return {
        "login": entry(dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC), address="10.0.0.1",
                       detail="password"),
        "failed": entry(dt.datetime(2026, 10, 1, 9, 30, tzinfo=UTC), AuditKind.LOGIN_FAILED,
                        actor_name="adam", address="10.0.0.9"),
        "closed": entry(dt.datetime(2026, 10, 2, 17, 0, tzinfo=UTC), AuditKind.MONTH_CLOSED,
                        actor_name="osm", target_name="2026-09", address="10.0.0.2"),
        "roles": entry(dt.datetime(2026, 10, 3, 7, 15, tzinfo=UTC), AuditKind.ROLES_CHANGED,
                       actor_name="osm", target_name="bea", address="2001:db8::1",
                       detail="+Executive \u2212HR"),
        "formula": entry(dt.datetime(2026, 10, 3, 12, 0, tzinfo=UTC), AuditKind.LOGIN_FAILED,
                         actor_name="=HYPERLINK(\"http://x\")", address="10.0.0.9"),
    }  # fmt: skip


def listed(response) -> list[int]:
    return [event.pk for event in response.context["events"]]


# The page ---------------------------------------------------------------------------------


def test_the_page_lists_every_entry_newest_first_with_its_columns(page, log):
    response = page.get(URL)
    assert response.status_code == 200
    assert listed(response) == [
        log[k].pk for k in ("formula", "roles", "closed", "failed", "login")
    ]
    html = response.content.decode()
    for heading in ("When", "Who", "Address", "What", "On whom or what", "Detail"):
        assert f'<th scope="col">{heading}</th>' in html
    # Kinds by their labels, not their codes; the time with its seconds.
    assert "<td>Month closed</td>" in html and "<td>month_closed</td>" not in html
    assert "<td>Roles changed</td>" in html
    assert "2026-10-03 07:15:00" in html
    assert "+Executive \u2212HR" in html
    assert "2001:db8::1" in html
    assert "=HYPERLINK(&quot;http://x&quot;)" in html  # escaped, as typed


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "login_failed"}, ["formula", "failed"]),
        ({"actor": "ADA"}, ["login"]),  # exactly, any case: not "adam"
        ({"actor_contains": "ad"}, ["failed", "login"]),
        ({"target": "2026-09"}, ["closed"]),
        ({"target": "be"}, ["roles"]),
        ({"after": "2026-10-02"}, ["formula", "roles", "closed"]),
        ({"before": "2026-10-02"}, ["failed", "login"]),  # that day left out
        ({"after": "2026-10-01T09:00", "before": "2026-10-03T07:15:00Z"}, ["closed", "failed"]),
        ({"address": "10.0.0.9"}, ["formula", "failed"]),
        ({"address": "2001:DB8:0:0::1"}, ["roles"]),  # read as the entries keep it
        ({"kind": "login_failed", "address": "10.0.0.9", "after": "2026-10-02"}, ["formula"]),
        ({"kind": "logout"}, []),
    ],
)
def test_the_filters(page, log, query, expected):
    response = page.get(URL, query)
    assert response.status_code == 200
    assert listed(response) == [log[k].pk for k in expected]


@pytest.mark.parametrize(
    "query, field, words",
    [
        ({"kind": "coffee"}, "kind", "Select a valid choice"),
        ({"after": "yesterday"}, "after", "Enter a valid date/time"),
        ({"before": "2026-13-01"}, "before", "Enter a valid date/time"),
        ({"address": "10.0.0.300"}, "address", "Enter a valid IPv4 or IPv6 address"),
        ({"after": "2026-10-03", "before": "2026-10-01"}, "before", "later than the start"),
        ({"actor": "x" * 151}, "actor", "at most 150 characters"),
    ],
)
def test_bad_filters_answer_400_saying_which(page, log, query, field, words):
    response = page.get(URL, query)
    assert response.status_code == 400
    errors = response.context["filters"].form.errors
    assert list(errors) == [field]
    assert words in " ".join(errors[field])
    assert "Correct the filters above" in response.content.decode()
    assert page.get(URL, {**query, "format": "csv"}).status_code == 400  # no file either


def test_the_download_link_keeps_the_filters_and_leaves_the_page_number(page, log):
    html = page.get(URL, {"kind": "login_failed", "page": "1"}).content.decode()
    assert 'href="?kind=login_failed&amp;format=csv" download' in html


def test_the_page_is_paginated_and_its_queries_do_not_grow(page):
    start = dt.datetime(2026, 10, 1, tzinfo=UTC)
    for minute in range(3):
        entry(start + dt.timedelta(minutes=minute))
    page.get(URL)  # warm-up (the session, the user's groups)
    with CaptureQueriesContext(connection) as few:
        page.get(URL)
    for minute in range(3, 120):
        entry(start + dt.timedelta(minutes=minute), actor_name=f"user{minute}")
    with CaptureQueriesContext(connection) as many:
        response = page.get(URL)
    assert len(many) == len(few)
    assert len(response.context["events"]) == 50
    assert response.context["page"].paginator.count == 120
    assert response.context["events"][0].actor_name == "user119"  # newest first
    second = page.get(URL, {"page": 3})
    assert [e.actor_name for e in second.context["events"]][-1] == "ada"  # the oldest, last
    assert len(second.context["events"]) == 20


def test_without_entries_the_page_says_so(page):
    html = page.get(URL).content.decode()
    assert "No entry has been recorded yet." in html
    assert "format=csv" not in html


@pytest.mark.parametrize("role", [EMPLOYEE, EXECUTIVE, HR, UNIT_HEAD])
def test_only_the_osm_staff_see_the_page(client, log, role):
    user = f.UserFactory(roles=[role])
    if role == UNIT_HEAD:
        f.OrgUnitFactory(head=user)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/audit/")


def test_the_page_only_reads(page, log):
    assert page.post(URL, {"kind": "login"}).status_code == 405
    assert AuditEvent.objects.count() == 5


# The CSV ----------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_holds_the_filtered_entries_formulas_neutralised(page, log):
    rows = csv_rows(page.get(URL, {"format": "csv", "after": "2026-10-02"}))
    assert rows == [
        ["id", "at", "kind", "what", "actor", "address", "target", "detail"],
        [str(log["formula"].pk), "2026-10-03T12:00:00+00:00", "login_failed", "Sign-in failed",
         "'=HYPERLINK(\"http://x\")", "10.0.0.9", "'=HYPERLINK(\"http://x\")", ""],
        [str(log["roles"].pk), "2026-10-03T07:15:00+00:00", "roles_changed", "Roles changed",
         "osm", "2001:db8::1", "bea", "'+Executive \u2212HR"],
        [str(log["closed"].pk), "2026-10-02T17:00:00+00:00", "month_closed", "Month closed",
         "osm", "10.0.0.2", "2026-09", ""],
    ]  # fmt: skip


def test_the_csv_is_written_in_batches_without_losing_or_repeating_an_entry(page, monkeypatch):
    from accounts.selectors import audit as selectors

    monkeypatch.setattr(selectors, "CSV_BATCH", 3)
    monkeypatch.setattr(selectors.audit_batches, "__kwdefaults__", {"size": 3})
    same_moment = dt.datetime(2026, 10, 1, 8, tzinfo=UTC)
    made = [entry(same_moment, actor_name=f"u{i}") for i in range(4)]  # ties on `at`
    made += [entry(same_moment + dt.timedelta(seconds=i), actor_name=f"v{i}") for i in (1, 2, 3)]
    rows = csv_rows(page.get(URL, {"format": "csv"}))[1:]
    expected = sorted(made, key=lambda e: (e.at, e.pk), reverse=True)
    assert [int(row[0]) for row in rows] == [e.pk for e in expected]


def test_the_csv_speaks_the_reader_s_language_in_its_labels_only(page, log):
    response = page.get(URL, {"format": "csv", "kind": "month_closed"},
                          HTTP_ACCEPT_LANGUAGE="fr")  # fmt: skip
    header, row = csv_rows(response)
    assert header[:3] == ["id", "at", "kind"]
    assert row[2] == "month_closed"


# Nothing changes an entry -----------------------------------------------------------------


def _refused_update(log):
    event = log["login"]
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="nothing happened")
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        event.actor_name = "somebody else"
        event.save()
    event.refresh_from_db()
    assert (event.actor_name, event.detail) == ("ada", "password")


def test_the_database_refuses_to_change_an_entry(log):
    _refused_update(log)


def test_the_database_refuses_to_change_an_entry_on_postgresql(postgres, log):
    assert connection.vendor == "postgresql"
    _refused_update(log)


def _admin_request(user, method="get"):
    request = getattr(RequestFactory(), method)("/admin/")
    request.user = user
    return request


def test_the_admin_shows_entries_and_sessions_but_never_changes_them(staff, log):
    request = _admin_request(staff)
    for model, admin_class in ((AuditEvent, AuditEventAdmin), (UserSession, UserSessionAdmin)):
        assert isinstance(admin.site._registry[model], admin_class)
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    event_admin = admin.site._registry[AuditEvent]
    fields = {field.name for field in AuditEvent._meta.fields}
    assert set(event_admin.get_readonly_fields(request, log["login"])) == fields
    assert not event_admin.get_actions(request)  # no "delete selected"
    response = event_admin.changelist_view(request)
    response.render()
    assert response.status_code == 200
    assert "adam" in response.content.decode()


def test_the_admin_hides_a_session_s_key(staff):
    session = UserSession.objects.create(
        session_key="secret-key-123", user=staff, method="password"
    )
    request = _admin_request(staff)
    session_admin = admin.site._registry[UserSession]
    response = session_admin.change_view(request, str(session.pk))
    response.render()
    assert "secret-key-123" not in response.content.decode()


def test_others_do_not_see_the_log_in_the_admin(log):
    request = _admin_request(f.UserFactory(roles=[EXECUTIVE], is_staff=True))
    assert not admin.site._registry[AuditEvent].has_view_permission(request)


# The nightly prune ------------------------------------------------------------------------


def test_the_prune_deletes_exactly_what_is_older_than_the_retention_period():
    now = timezone.now()
    old = entry(now - dt.timedelta(days=401))
    edge_kept = entry(now - dt.timedelta(days=399))
    recent = entry(now - dt.timedelta(hours=1))
    assert prune_audit_log.delay().get() == 1
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {edge_kept.pk, recent.pk}
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert prune_audit_log.delay().get() == 0  # safe to run again


def test_the_retention_period_is_a_setting(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    gone, kept = entry(now - dt.timedelta(days=31)), entry(now - dt.timedelta(days=29))
    assert prune_audit_log() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=gone.pk).exists()


def test_the_default_retention_is_400_days():
    from django.conf import settings

    assert settings.AUDIT_RETENTION_DAYS == 400


def test_the_prune_runs_every_night():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="accounts.tasks.prune_audit_log")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "2", "*")
