"""The scorecard pages (names without a namespace, like the dashboards': `measure`,
`my-updates`, `unit-cascade`...)."""

from django.urls import path

from . import (
    approval_views,
    measure_views,
    reporting_views,
    setup_views,
    value_views,
    version_views,
    views,
)

urlpatterns = [
    path("measures/upload/", value_views.values_upload, name="values-upload"),
    path("measures/<int:pk>/", views.measure_page, name="measure"),
    path("measures/<int:pk>/edit/", measure_views.MeasureEdit.as_view(), name="measure-edit"),
    path("measures/<int:pk>/delete/", views.MeasureDelete.as_view(), name="measure-delete"),
    path(
        "measures/<int:pk>/values/<str:period>/delete/",
        value_views.MeasureValueDelete.as_view(),
        name="measure-value-delete",
    ),
    path(
        "measures/<int:pk>/values/<str:period>/clear/",
        value_views.MeasureValueClear.as_view(),
        name="measure-value-clear",
    ),
    path("my/updates/", views.my_updates, name="my-updates"),
    path("my/approvals/", approval_views.approvals_page, name="approvals"),
    path("values/<int:pk>/approve/", approval_views.value_approve, name="value-approve"),
    path("values/<int:pk>/return/", approval_views.ValueReturn.as_view(), name="value-return"),
    path(
        "units/<str:code>/measures-below/",
        measure_views.measures_below_search,
        name="measures-below",
    ),
    path("units/<str:code>/cascade/", views.unit_cascade, name="unit-cascade"),
    path("units/<str:code>/versions/", version_views.versions_page, name="unit-versions"),
    path("units/<str:code>/versions/<int:pk>/", version_views.version_map, name="unit-version"),
    path(
        "units/<str:code>/versions/compare/",
        version_views.versions_compare,
        name="unit-versions-compare",
    ),
    path("units/<str:code>/objectives/new/", views.ObjectiveCreate.as_view(), name="objective-new"),
    path("units/<str:code>/arrows/", views.ArrowCreate.as_view(), name="arrow-add"),
    path("arrows/<int:pk>/delete/", views.ArrowDelete.as_view(), name="arrow-delete"),
    path("objectives/<int:pk>/edit/", views.ObjectiveEdit.as_view(), name="objective-edit"),
    path("objectives/<int:pk>/delete/", views.ObjectiveDelete.as_view(), name="objective-delete"),
    path(
        "objectives/<int:pk>/measures/new/",
        measure_views.MeasureCreate.as_view(),
        name="measure-new",
    ),
    # The reporting cycle's months (scorecards/reporting_views.py).
    path("reporting/months/", reporting_views.months_page, name="reporting-months"),
    path(
        "reporting/months/<str:month>/close/",
        reporting_views.MonthClose.as_view(),
        name="reporting-month-close",
    ),
    path(
        "reporting/months/<str:month>/reopen/",
        reporting_views.MonthReopen.as_view(),
        name="reporting-month-reopen",
    ),
    # Setup: the unit tree, perspectives and themes (scorecards/setup_views.py).
    path("setup/", setup_views.setup_page, name="setup"),
    path("setup/units/new/", setup_views.UnitCreate.as_view(), name="setup-unit-new"),
    path("setup/units/<str:code>/edit/", setup_views.UnitEdit.as_view(), name="setup-unit-edit"),
    path("setup/units/<str:code>/move/", setup_views.UnitMove.as_view(), name="setup-unit-move"),
    path(
        "setup/units/<str:code>/delete/",
        setup_views.UnitDelete.as_view(),
        name="setup-unit-delete",
    ),
    path(
        "setup/units/<str:code>/themes/new/",
        setup_views.ThemeCreate.as_view(),
        name="setup-theme-new",
    ),
    path("setup/themes/<int:pk>/edit/", setup_views.ThemeEdit.as_view(), name="setup-theme-edit"),
    path(
        "setup/themes/<int:pk>/delete/",
        setup_views.ThemeDelete.as_view(),
        name="setup-theme-delete",
    ),
    path(
        "setup/perspectives/new/",
        setup_views.PerspectiveCreate.as_view(),
        name="setup-perspective-new",
    ),
    path(
        "setup/perspectives/<int:pk>/edit/",
        setup_views.PerspectiveEdit.as_view(),
        name="setup-perspective-edit",
    ),
    path(
        "setup/perspectives/<int:pk>/delete/",
        setup_views.PerspectiveDelete.as_view(),
        name="setup-perspective-delete",
    ),
]
