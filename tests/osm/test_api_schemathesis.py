"""Schemathesis against the live OpenAPI schema: every operation, stateless, with a staff
token; no response may be a server error or break the schema.

The schema is read from the running app (`/api/v1/schema/`) through WSGI, so the test
exercises exactly what is served. Each operation gets a bounded number of generated
requests (hypothesis), against a small organisation so that some ids exist.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.roles import OSM_STAFF
from scorecards import services
from tests import factories as f

# The workbook bodies (the bulk upload, the scorecard import): bytes, sent as they are.
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)
# Read at import, with no user to sign in: published for the reading (API_SCHEMA_PUBLIC).
with override_settings(API_SCHEMA_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals close connections
    found in a transaction, as the test's own is; Django's test client unhooks them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    cache.clear()
    ent = f.EnterpriseFactory(code="ACME")
    unit = f.OrgUnitFactory(code="BU", parent=ent)
    objective = f.ObjectiveFactory(unit=unit, supports=[f.ObjectiveFactory(unit=ent)])
    measure = f.MeasureFactory(objective=objective, code="REV")
    services.measure_value_record(
        measure=measure,
        period=__import__("datetime").date(2026, 1, 1),
        actual=5,
        target=6,
        actor=None,
    )
    f.GoalFactory(employee=f.EmployeeFactory(unit=unit), objective=objective)
    f.GoalTemplateFactory(objective=objective)
    f.BudgetLineFactory(unit=unit)
    f.ActionItemFactory(meeting=f.ReviewMeetingFactory(unit=unit))
    user = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    _, key = AuthToken.objects.create(user=user)
    return key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
