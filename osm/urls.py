"""Root URLs: the web app, the admin, the login pages, the health check and API v1."""

from django.contrib import admin
from django.urls import include, path

from alignment.views import strategy_test_page
from core import notification_views
from core.language import language_page
from core.people import people_search

from . import views

urlpatterns = [
    path("", include("dashboards.urls")),
    path("units/<str:code>/strategy-test/", strategy_test_page, name="strategy-test"),
    path("healthz/", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages (the admin's) that name no icon. Resolved per
    # request: with the production storage, static() needs the collectstatic manifest.
    path("favicon.ico", views.favicon),
    path("", include("scorecards.urls")),
    path("alignment/", include("alignment.urls")),
    path("initiatives/", include("initiatives.urls")),
    path("budgets/", include("budgets.urls")),
    path("people/search/", people_search, name="people-search"),
    path("people/", include("people.urls")),
    path("", include("communication.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("calendar/", include("reviews.calendar_urls")),
    path("accounts/language/", language_page, name="language"),
    path("notifications/", notification_views.notifications_page, name="notifications"),
    path("notifications/count/", notification_views.notification_count, name="notification-count"),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification-preferences",
    ),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification-open"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("osm.api")),
]

# A database outage is a 503 page (JSON under /api/), any other failure a 500: core/errors.py.
handler500 = "core.errors.server_error"
# 403 and 404 in the app's layout, with who may and a way back (JSON under /api/).
handler403 = "osm.views.permission_denied"
handler404 = "osm.views.page_not_found"
