"""The scorecard pages (names without a namespace, like the dashboards': `measure`,
`my-updates`, `unit-cascade`...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("measures/upload/", views.values_upload, name="values-upload"),
    path("measures/<int:pk>/", views.measure_page, name="measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path(
        "measures/<int:pk>/values/<str:period>/delete/",
        views.measure_value_delete,
        name="measure-value-delete",
    ),
    path("my/updates/", views.my_updates, name="my-updates"),
    path("units/<str:code>/cascade/", views.unit_cascade, name="unit-cascade"),
    path("units/<str:code>/objectives/new/", views.objective_new, name="objective-new"),
    path("units/<str:code>/arrows/", views.arrow_add, name="arrow-add"),
    path("arrows/<int:pk>/delete/", views.arrow_delete, name="arrow-delete"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective-edit"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective-delete"),
    path("objectives/<int:pk>/measures/new/", views.measure_new, name="measure-new"),
]
