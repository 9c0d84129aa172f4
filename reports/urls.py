"""The report packs' pages: downloads, imports and subscriptions (namespace `reports`)."""

from django.urls import path

from . import import_views, views
from .subscription_views import (
    SubscriptionCreate,
    SubscriptionDelete,
    SubscriptionEdit,
    subscriptions,
)

app_name = "reports"

urlpatterns: list = [
    path("units/<str:code>/scorecard/", views.scorecard_download, name="scorecard"),
    path("units/<str:code>/report/", views.unit_report_download, name="unit-report"),
    path("units/<str:code>/goals/", views.goals_download, name="goals"),
    path("units/<str:code>/incentives/", views.incentives_download, name="incentives"),
    path("measures/<int:pk>/history/", views.history_download, name="history"),
    path("alignment/", views.alignment_download, name="alignment"),
    path("budget/", views.budget_download, name="budget"),
    path("initiatives/", views.portfolio_download, name="portfolio"),
    path("meetings/<int:pk>/briefing-book/", views.briefing_book_download, name="briefing-book"),
    path("subscriptions/", subscriptions, name="subscriptions"),
    path("subscriptions/new/", SubscriptionCreate.as_view(), name="subscription-new"),
    path("subscriptions/<int:pk>/edit/", SubscriptionEdit.as_view(), name="subscription-edit"),
    path(
        "subscriptions/<int:pk>/delete/", SubscriptionDelete.as_view(), name="subscription-delete"
    ),
    path(
        "units/<str:code>/scorecard-import/",
        import_views.scorecard_import,
        name="scorecard-import",
    ),
    path(
        "units/<str:code>/scorecard-import/template/",
        import_views.scorecard_template,
        name="scorecard-import-template",
    ),
]
