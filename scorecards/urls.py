"""The scorecard pages (names without a namespace, like the dashboards': `measure`,
`my-updates`, `unit-cascade`...)."""

from django.urls import path

from . import measure_views, views

urlpatterns = [
    path("measures/upload/", views.values_upload, name="values-upload"),
    path("measures/<int:pk>/", views.measure_page, name="measure"),
    path("measures/<int:pk>/edit/", measure_views.MeasureEdit.as_view(), name="measure-edit"),
    path("measures/<int:pk>/delete/", views.MeasureDelete.as_view(), name="measure-delete"),
    path(
        "measures/<int:pk>/values/<str:period>/delete/",
        views.MeasureValueDelete.as_view(),
        name="measure-value-delete",
    ),
    path("my/updates/", views.my_updates, name="my-updates"),
    path("units/<str:code>/cascade/", views.unit_cascade, name="unit-cascade"),
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
]
