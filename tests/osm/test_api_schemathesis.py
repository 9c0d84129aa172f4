"""Schemathesis against the live OpenAPI schema: every operation, stateless, with a staff
token; no response may be a server error or break the schema.

The schema is read from the running app (`/api/v1/schema/`) through WSGI, so the test
exercises exactly what is served. Each operation gets a bounded number of generated
requests (hypothesis), against a small organisation so that some ids exist.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from osm.permissions import OSM_STAFF
from scorecards import services
from tests import factories as f

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture
def token(db):
    cache.clear()
    ent = f.EnterpriseFactory(code="ACME")
    unit = f.OrgUnitFactory(code="BU", parent=ent)
    objective = f.ObjectiveFactory(unit=unit, supports=[f.ObjectiveFactory(unit=ent)])
    measure = f.MeasureFactory(objective=objective, code="REV")
    services.measure_value_record(
        measure=measure, period=__import__("datetime").date(2026, 1, 1), actual=5, target=6
    )
    f.GoalFactory(employee=f.EmployeeFactory(unit=unit), objective=objective)
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
