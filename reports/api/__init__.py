"""API v1 of the reports app (API.md "Files"): the file formats of the computed reads, the
unit report and briefing book, measure histories, a subtree's goals and incentive
components (pay data), the scorecard workbook import and the report subscriptions."""

from django.urls import path

from .files import (
    AlignmentFilesView,
    BriefingBookView,
    MeasureHistoryView,
    ScorecardFilesView,
    UnitGoalsView,
    UnitIncentivesView,
    UnitReportView,
)
from .imports import ScorecardImportView, ScorecardTemplateView
from .subscriptions import ReportSubscriptionViewSet

ROUTES: list = [
    ("report-subscriptions", ReportSubscriptionViewSet, "reportsubscription"),
]
PATHS: list = [
    # The computed reads with their files: in place of scorecards' and alignment's views.
    path("units/<int:pk>/scorecard/", ScorecardFilesView.as_view(), name="api-scorecard"),
    path("alignment/", AlignmentFilesView.as_view(), name="api-alignment"),
    path("units/<int:pk>/report/", UnitReportView.as_view(), name="api-unit-report"),
    path("units/<int:pk>/goals/", UnitGoalsView.as_view(), name="api-unit-goals"),
    path("units/<int:pk>/incentives/", UnitIncentivesView.as_view(), name="api-unit-incentives"),
    path("reviews/<int:pk>/briefing-book/", BriefingBookView.as_view(), name="api-briefing-book"),
    path("measures/<int:pk>/history/", MeasureHistoryView.as_view(), name="api-measure-history"),
    path(
        "units/<int:pk>/scorecard-import/",
        ScorecardImportView.as_view(),
        name="api-scorecard-import",
    ),
    path(
        "units/<int:pk>/scorecard-import/template/",
        ScorecardTemplateView.as_view(),
        name="api-scorecard-import-template",
    ),
]
