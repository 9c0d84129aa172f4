"""API v1 wiring: the one router every app's viewsets register on, each app's other paths
(its computed reads, the bulk upload), token login and logout, and the schema with its
browsable docs. The pieces every resource shares (pagination, errors, permissions, the
service viewset) are in core/api/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import PATHS as account_paths
from accounts.api import ROUTES as account_routes
from accounts.api.schema import SchemaDocsView, SchemaView
from alignment.api import StrategyTestsView
from budgets.api import ROUTES as budget_routes
from communication.api import PATHS as communication_paths
from communication.api import ROUTES as communication_routes
from core.api.auth import RevokeView, TokenView
from core.api.notifications import NotificationPreferenceViewSet, NotificationViewSet
from dashboards.api import ObjectiveCascadeView
from initiatives.api import ROUTES as initiative_routes
from people.api import ROUTES as people_routes
from reports.api import PATHS as report_paths
from reports.api import ROUTES as report_routes
from reviews.api import ROUTES as review_routes
from scorecards.api import PATHS as scorecard_paths
from scorecards.api import ROUTES as scorecard_routes

router = DefaultRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register(
    "notification-preferences", NotificationPreferenceViewSet, basename="notification-preference"
)
for app_routes in (
    account_routes,
    scorecard_routes,
    initiative_routes,
    budget_routes,
    people_routes,
    communication_routes,
    review_routes,
    report_routes,
):
    for prefix, viewset, basename in app_routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", RevokeView.as_view(), name="api-logout"),
    # Before the apps' paths: the reports app serves the files of their computed reads
    # (`units/{id}/scorecard/?format=xlsx`, `alignment/?format=csv`) from the same views.
    *account_paths,
    *report_paths,
    *scorecard_paths,
    *communication_paths,
    path("units/<int:pk>/strategy-tests/", StrategyTestsView.as_view(), name="api-strategy-tests"),
    path("objectives/<int:pk>/cascade/", ObjectiveCascadeView.as_view(), name="api-cascade"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the Content-Security-Policy holds on the docs page too.
    path("docs/", SchemaDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
