"""API v1 of the scorecards app (every resource registered on the one router in
osm/api.py): the organisation, the strategy, measure values and their bulk upload, and the
computed reads of a unit's scorecard and strategy map."""

from django.urls import path

from .bulk import BulkValuesView
from .organisation import PerspectiveViewSet, ThemeViewSet, UnitViewSet
from .reads import StrategyMapView
from .reporting import ReportingPeriodViewSet
from .strategy import LinkViewSet, MeasureViewSet, ObjectiveViewSet
from .values import MeasureValueViewSet
from .versions import StrategyVersionViewSet

ROUTES = [
    ("units", UnitViewSet, "unit"),
    ("perspectives", PerspectiveViewSet, "perspective"),
    ("themes", ThemeViewSet, "theme"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("links", LinkViewSet, "causeeffect"),
    ("measures", MeasureViewSet, "measure"),
    ("measure-values", MeasureValueViewSet, "measurevalue"),
    ("reporting-periods", ReportingPeriodViewSet, "reportingperiod"),
    ("strategy-versions", StrategyVersionViewSet, "strategyversion"),
]
PATHS = [
    path("units/<int:pk>/strategy-map/", StrategyMapView.as_view(), name="api-strategy-map"),
    # Before the router's measure-values/{id}/, which would take "bulk" for an id.
    path("measure-values/bulk/", BulkValuesView.as_view(), name="api-bulk-values"),
]
